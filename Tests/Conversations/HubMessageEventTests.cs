using System.Text.Json;
using RealtimeAspire.Contracts;
using RealtimeAspire.Contracts.Frames;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;
using RealtimeAspire.Tests.Messages;
using RealtimeAspire.Tests.SignalR;

namespace RealtimeAspire.Tests.Conversations;

/// <summary>
/// The hub methods <c>Edit</c>, <c>Delete</c>, <c>React</c>, <c>Unreact</c> and their events, between a SignalR client
/// and a WebSocket client on different replicas; and what a delete leaves in PostgreSQL and in Redis.
/// </summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class HubMessageEventTests(RealtimeAppFixture fixture)
{
    [Fact]
    public async Task Hub_calls_answer_like_the_websocket_frames_and_both_clients_see_the_same_events()
    {
        using var http = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(http, "hub");
        var bob = await RealtimeTestClient.CreateUserAsync(http, "ws");
        var room = RealtimeTestKit.NewRoom("hub-events");
        await using var hub = await HubTestClient.ConnectAsync(fixture.GatewayUri, alice);
        await using var ws = await RealtimeTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, bob, replica => replica != hub.ReplicaId);
        await hub.JoinAsync(room);
        await ws.JoinAsync(room);
        var sent = await hub.SendAsync(room, "typo", "m-1");
        var messageId = sent.Str("messageId");

        var edit = await hub.InvokeAsync("Edit", room, messageId, "fixed", "e-1");
        var wsEdited = await ws.WaitForAsync(FrameTypes.MessageEdited);
        var hubEdited = await hub.WaitForAsync(FrameTypes.MessageEdited);
        await ws.ReactAsync(room, messageId, "👀");
        var hubReaction = await hub.WaitForAsync(FrameTypes.Reaction);
        var react = await hub.InvokeAsync("React", room, messageId, "👀", "r-1");
        var unreact = await hub.InvokeAsync("Unreact", room, messageId, "👀", "u-1");
        var foreignEdit = await hub.InvokeAsync("Edit", room, Guid.CreateVersion7().ToString(), "x", "e-2");
        var delete = await hub.InvokeAsync("Delete", room, messageId, "d-1");
        var hubDeleted = await hub.WaitForAsync(FrameTypes.MessageDeleted);
        var wsEvents = new List<JsonElement>
        {
            await ws.WaitForAsync(FrameTypes.Reaction, f => f.Str("userId") == alice.UserId),
            await ws.WaitForAsync(FrameTypes.Reaction, f => f.Str("userId") == alice.UserId),
            await ws.WaitForAsync(FrameTypes.MessageDeleted),
        };

        Assert.Equal(("ack", "e-1", messageId, sent.Seq() + 1), (edit.Type(), edit.Str("id"), edit.Str("messageId"), edit.Seq()));
        Assert.Equal(wsEdited.GetRawText(), hubEdited.GetRawText());
        Assert.Equal(("fixed", edit.Seq()), (wsEdited.Str("content"), wsEdited.Seq()));
        Assert.Equal((bob.UserId, "add"), (hubReaction.Str("userId"), hubReaction.Str("op")));
        Assert.Equal(("ack", edit.Seq() + 2), (react.Type(), react.Seq()));
        Assert.Equal(("ack", edit.Seq() + 3), (unreact.Type(), unreact.Seq()));
        Assert.Equal(("error", "not_found", "e-2"), (foreignEdit.Type(), foreignEdit.Str("code"), foreignEdit.Str("id")));
        Assert.Equal(("ack", edit.Seq() + 4), (delete.Type(), delete.Seq()));
        Assert.Equal(delete.Seq(), hubDeleted.Seq());
        Assert.Equal(
            [(FrameTypes.Reaction, "add"), (FrameTypes.Reaction, "remove"), (FrameTypes.MessageDeleted, "")],
            wsEvents.Select(f => (f.Type(), f.TryGetProperty("op", out var op) ? op.GetString()! : "")));
    }

    [Fact]
    public async Task A_delete_takes_the_content_out_of_postgresql_and_out_of_the_recent_stream_and_leaves_a_tombstone()
    {
        await using var chat = await RealtimeTestKit.StartTwoReplicaChatAsync(fixture, "scrub");
        var (alice, _, a, _, room) = chat;
        await chat.JoinBothAsync();
        var secret = $"secret-{Guid.NewGuid():N}";
        var messageId = (await a.SendMessageAsync(room, secret)).Str("messageId");
        await a.EditAsync(room, messageId, $"{secret}, edited");
        await a.SendMessageAsync(room, "a neighbour that stays");
        await using var kit = await MessagesTestKit.CreateAsync(fixture);
        Assert.Equal(3, await kit.WaitForStoredAsync([room], 3, MessagesTestKit.Timeout));

        var deleted = await a.DeleteAsync(room, messageId);
        Assert.Equal(4, await kit.WaitForStoredAsync([room], 4, MessagesTestKit.Timeout));
        var stored = await kit.StoredAsync(room);
        var recent = await kit.Db.StreamRangeAsync(RedisSchema.Recent(room), "-", "+");
        var history = await ConversationTestKit.HistoryAsync(fixture, alice, room, "after=0&events=true");

        Assert.Equal([1L, 2L, 3L, 4L], stored.Select(m => m.Seq));
        Assert.DoesNotContain(stored, m => m.Content?.Contains(secret, StringComparison.Ordinal) == true);
        Assert.Equal(messageId, stored[0].MessageId.ToString());
        Assert.Equal("a neighbour that stays", stored[2].Content);
        Assert.DoesNotContain(recent, entry => ((string?)entry[RedisSchema.FrameField])?.Contains(secret, StringComparison.Ordinal) == true);
        Assert.Contains(recent, entry => ((string?)entry[RedisSchema.FrameField])?.Contains("a neighbour that stays", StringComparison.Ordinal) == true);
        Assert.DoesNotContain(secret, history.GetRawText(), StringComparison.Ordinal);
        var tombstone = history.GetProperty("messages")[0];
        Assert.True(tombstone.GetProperty("deleted").GetBoolean());
        Assert.Equal(messageId, tombstone.Str("messageId"));
        Assert.Equal([2L, deleted.Seq()], history.GetProperty("events").EnumerateArray().Select(e => e.Seq()));
    }
}
