using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Webhooks;

/// <summary>The server API's webhook management, as a backend calls it through the Gateway.</summary>
public static class WebhookEndpoints
{
    private static readonly TimeSpan Timeout = RealtimeTestClient.DefaultTimeout;

    /// <summary>Registers the receiver for <paramref name="events"/> (and room prefixes); returns the webhook's id and sets the receiver's secret.</summary>
    public static async Task<string> RegisterAsync(HttpClient server, WebhookReceiver receiver, string[] events, string[]? rooms = null)
    {
        using var response = await server.PostAsJsonAsync("/api/server/webhooks", new { url = receiver.Url.ToString(), events, rooms }).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>().WaitAsync(Timeout);
        receiver.Secret = created.GetProperty("secret").GetString();
        Assert.StartsWith("whsec_", receiver.Secret);
        return created.GetProperty("id").GetString()!;
    }

    public static async Task<List<JsonElement>> DeliveriesAsync(HttpClient server, string webhookId, string? status = null)
    {
        var query = status is null ? "" : $"?status={status}";
        var page = await server.GetFromJsonAsync<JsonElement>($"/api/server/webhooks/{webhookId}/deliveries{query}").WaitAsync(Timeout);
        return [.. page.GetProperty("deliveries").EnumerateArray()];
    }

    public static async Task DeleteAsync(HttpClient server, string webhookId)
    {
        using var response = await server.DeleteAsync($"/api/server/webhooks/{webhookId}").WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    /// <summary>Creates a room through the user API (room.created), as its owner.</summary>
    public static async Task CreateRoomAsync(HttpClient gateway, TestUser owner, string room, string visibility, params string[] members)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/rooms") { Content = JsonContent.Create(new { room, visibility, members }) };
        request.Headers.Authorization = new("Bearer", owner.AccessToken);
        using var response = await gateway.SendAsync(request).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    public static async Task ChangeMemberAsync(HttpClient gateway, TestUser owner, string room, string username, bool add)
    {
        using var request = add
            ? new HttpRequestMessage(HttpMethod.Post, $"/api/rooms/{room}/members") { Content = JsonContent.Create(new { username }) }
            : new HttpRequestMessage(HttpMethod.Delete, $"/api/rooms/{room}/members/{username}");
        request.Headers.Authorization = new("Bearer", owner.AccessToken);
        using var response = await gateway.SendAsync(request).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }
}
