using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.ServerApi;

/// <summary>Calls of the server API as a backend makes them: JSON over the Gateway with a client token.</summary>
public static class ServerApiTestKit
{
    public static readonly TimeSpan Timeout = RealtimeTestKit.Timeout;

    public static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpClient client, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: JsonSerializerOptions.Web);
        }

        using var response = await client.SendAsync(request).WaitAsync(Timeout);
        var text = await response.Content.ReadAsStringAsync().WaitAsync(Timeout);
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    public static Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient client, string path, object body) =>
        SendAsync(client, HttpMethod.Post, path, body);

    /// <summary>Publishes to one room and expects 201; returns the answer's body.</summary>
    public static async Task<JsonElement> PublishAsync(HttpClient client, string room, string content, string? idempotencyKey = null)
    {
        var (status, body) = await PostAsync(client, $"/api/server/rooms/{room}/messages", new { content, idempotencyKey });
        Assert.True(status == HttpStatusCode.Created, $"publish answered {status}: {body}");
        return body;
    }

    /// <summary>The room's history through the server API (rooms:read).</summary>
    public static async Task<List<JsonElement>> HistoryAsync(HttpClient client, string room)
    {
        var (status, body) = await SendAsync(client, HttpMethod.Get, $"/api/server/rooms/{room}/messages");
        Assert.True(status == HttpStatusCode.OK, $"history answered {status}: {body}");
        return [.. body.GetProperty("messages").EnumerateArray()];
    }

    /// <summary>A private room created by <paramref name="owner"/> through the user API, with <paramref name="members"/>.</summary>
    public static async Task<string> CreatePrivateRoomAsync(HttpClient http, TestUser owner, params string[] members)
    {
        var room = RealtimeTestKit.NewRoom("private");
        using var request = RealtimeTestKit.Authorized(HttpMethod.Post, "/api/rooms", owner, new { room, visibility = "private", members });
        using var response = await http.SendAsync(request).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return room;
    }
}
