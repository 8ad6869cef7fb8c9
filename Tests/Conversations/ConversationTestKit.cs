using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RealtimeAspire.Contracts.Frames;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Conversations;

/// <summary>The §7 client frames of a WebSocket test client, each answered by its <c>ack</c> or <c>error</c> (matched by id).</summary>
public static class ConversationTestKit
{
    public static Task<JsonElement> EditAsync(this RealtimeTestClient client, string room, string messageId, string content, string? id = null) =>
        client.AnswerAsync(new EditRequest(room, messageId, content, id ?? NewId()), "ack");

    public static Task<JsonElement> DeleteAsync(this RealtimeTestClient client, string room, string messageId, string? id = null) =>
        client.AnswerAsync(new DeleteRequest(room, messageId, id ?? NewId()), "ack");

    public static Task<JsonElement> ReactAsync(this RealtimeTestClient client, string room, string messageId, string emoji, string? id = null) =>
        client.AnswerAsync(new ReactionRequest(FrameTypes.React, room, messageId, emoji, id ?? NewId()), "ack");

    public static Task<JsonElement> UnreactAsync(this RealtimeTestClient client, string room, string messageId, string emoji, string? id = null) =>
        client.AnswerAsync(new ReactionRequest(FrameTypes.Unreact, room, messageId, emoji, id ?? NewId()), "ack");

    /// <summary>Sends the frame and waits for the answer of <paramref name="type"/> (<c>ack</c> or <c>error</c>) that carries its id.</summary>
    public static async Task<JsonElement> AnswerAsync<T>(this RealtimeTestClient client, T frame, string type) where T : IClientFrame
    {
        var json = JsonSerializer.SerializeToElement(frame, frame.GetType(), FrameJsonContext.Default);
        var id = json.GetProperty("id").GetString();
        await client.SendAsync(frame);
        return await client.WaitForAsync(type, answer => answer.TryGetProperty("id", out var answerId) && answerId.GetString() == id);
    }

    /// <summary>The history page of <paramref name="query"/> (e.g. <c>after=0&amp;events=true</c>) as <paramref name="user"/> reads it.</summary>
    public static async Task<JsonElement> HistoryAsync(RealtimeAppFixture fixture, TestUser user, string room, string query = "after=0")
    {
        using var http = fixture.CreateGatewayClient();
        using var request = RealtimeTestKit.Authorized(HttpMethod.Get, $"/api/rooms/{room}/messages?{query}", user);
        using var response = await http.SendAsync(request).WaitAsync(RealtimeTestKit.Timeout);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>().WaitAsync(RealtimeTestKit.Timeout);
    }

    public static async Task<string> CreatePrivateRoomAsync(RealtimeAppFixture fixture, TestUser owner, params string[] members)
    {
        using var http = fixture.CreateGatewayClient();
        var room = RealtimeTestKit.NewRoom("private");
        using var request = RealtimeTestKit.Authorized(HttpMethod.Post, "/api/rooms", owner, new { room, visibility = "private", members });
        using var response = await http.SendAsync(request).WaitAsync(RealtimeTestKit.Timeout);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return room;
    }

    public static string NewId() => Guid.NewGuid().ToString("N");
}
