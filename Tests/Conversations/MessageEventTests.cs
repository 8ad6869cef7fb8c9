using System.Text.Json;
using RealtimeAspire.Contracts.Frames;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Conversations;

/// <summary>
/// protocol.md §7 edit, delete, react, unreact over WebSocket through the Gateway, with the two users on different
/// replicas: acks, fan-out, permissions, one reaction of a kind, and history in current state and with events.
/// </summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class MessageEventTests(RealtimeAppFixture fixture)
{
    [Fact]
    public async Task An_edit_is_acked_with_its_own_seq_reaches_the_other_replica_and_history_shows_the_new_content()
    {
        await using var chat = await RealtimeTestKit.StartTwoReplicaChatAsync(fixture, "edit");
        var (alice, bob, a, b, room) = chat;
        await chat.JoinBothAsync();
        var sent = await a.SendMessageAsync(room, "helo");
        var messageId = sent.Str("messageId");

        var ack = await a.EditAsync(room, messageId, "hello");
        var edited = await b.WaitForAsync(FrameTypes.MessageEdited);
        var history = await ConversationTestKit.HistoryAsync(fixture, bob, room);
        var withEvents = await ConversationTestKit.HistoryAsync(fixture, bob, room, "after=0&events=true");

        Assert.Equal((messageId, sent.Seq() + 1), (ack.Str("messageId"), ack.Seq()));
        Assert.Equal((ack.Seq(), messageId, "hello", alice.UserId), (edited.Seq(), edited.Str("messageId"), edited.Str("content"), edited.Str("userId")));
        var message = Assert.Single(history.GetProperty("messages").EnumerateArray());
        Assert.Equal(("hello", edited.Str("editedAt"), sent.Seq()), (message.Str("content"), message.Str("editedAt"), message.Seq()));
        Assert.False(history.TryGetProperty("events", out var none) && none.ValueKind != JsonValueKind.Null);
        var roomEvent = Assert.Single(withEvents.GetProperty("events").EnumerateArray());
        Assert.Equal(edited.GetRawText(), roomEvent.GetRawText());
    }

    [Fact]
    public async Task Only_the_author_edits_the_author_or_the_owner_deletes_and_an_outsider_touches_nothing()
    {
        using var http = fixture.CreateGatewayClient();
        var owner = await RealtimeTestClient.CreateUserAsync(http, "owner");
        var author = await RealtimeTestClient.CreateUserAsync(http, "author");
        var stranger = await RealtimeTestClient.CreateUserAsync(http, "stranger");
        var outsider = await RealtimeTestClient.CreateUserAsync(http, "outsider");
        var room = await ConversationTestKit.CreatePrivateRoomAsync(fixture, owner, author.Username, stranger.Username);
        await using var o = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, owner);
        await using var w = await RealtimeTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, author, replica => replica != o.ReplicaId);
        await using var s = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, stranger);
        await using var x = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, outsider);
        await o.JoinAsync(room);
        await w.JoinAsync(room);
        await s.JoinAsync(room);
        var first = (await w.SendMessageAsync(room, "first")).Str("messageId");
        var second = (await w.SendMessageAsync(room, "second")).Str("messageId");

        var strangerEdit = await s.AnswerAsync(new EditRequest(room, first, "mine now", ConversationTestKit.NewId()), "error");
        var ownerEdit = await o.AnswerAsync(new EditRequest(room, first, "owned", ConversationTestKit.NewId()), "error");
        var strangerDelete = await s.AnswerAsync(new DeleteRequest(room, first, ConversationTestKit.NewId()), "error");
        var ownerDelete = await o.DeleteAsync(room, first);
        var deleted = await w.WaitForAsync(FrameTypes.MessageDeleted);
        var editOfDeleted = await w.AnswerAsync(new EditRequest(room, first, "too late", ConversationTestKit.NewId()), "error");
        var unknown = await w.AnswerAsync(new DeleteRequest(room, Guid.CreateVersion7().ToString(), ConversationTestKit.NewId()), "error");
        var notAnId = await w.AnswerAsync(new ReactionRequest(FrameTypes.React, room, "not-a-message", "👍", ConversationTestKit.NewId()), "error");
        var authorEdit = await w.EditAsync(room, second, "second, edited");
        var authorDelete = await w.DeleteAsync(room, second);
        await x.SendAsync(new JoinRequest(room));
        var outsiderJoin = await x.ExpectAsync("error");
        var outsiderEdit = await x.AnswerAsync(new EditRequest(room, second, "hijack", ConversationTestKit.NewId()), "error");
        var outsiderReact = await x.AnswerAsync(new ReactionRequest(FrameTypes.React, room, second, "👎", ConversationTestKit.NewId()), "error");

        Assert.Equal("forbidden", strangerEdit.Str("code"));
        Assert.Equal("forbidden", ownerEdit.Str("code"));
        Assert.Equal("forbidden", strangerDelete.Str("code"));
        Assert.Equal((first, 3L), (ownerDelete.Str("messageId"), ownerDelete.Seq()));
        Assert.Equal((first, 3L, owner.UserId), (deleted.Str("messageId"), deleted.Seq(), deleted.Str("userId")));
        Assert.Equal("not_found", editOfDeleted.Str("code"));
        Assert.Equal("not_found", unknown.Str("code"));
        Assert.Equal("not_found", notAnId.Str("code"));
        Assert.Equal((4L, 5L), (authorEdit.Seq(), authorDelete.Seq()));
        Assert.Equal("forbidden", outsiderJoin.Str("code"));
        Assert.Equal("not_joined", outsiderEdit.Str("code"));
        Assert.Equal("not_joined", outsiderReact.Str("code"));
        Assert.Empty(await x.DrainAsync());
        var history = (await ConversationTestKit.HistoryAsync(fixture, stranger, room)).GetProperty("messages").EnumerateArray().ToList();
        Assert.All(history, m => Assert.True(m.GetProperty("deleted").GetBoolean()));
        Assert.All(history, m => Assert.False(m.TryGetProperty("content", out _)));
    }

    [Fact]
    public async Task Reactions_are_one_of_a_kind_per_user_and_reacting_twice_or_taking_back_nothing_adds_no_event()
    {
        await using var chat = await RealtimeTestKit.StartTwoReplicaChatAsync(fixture, "react");
        var (alice, bob, a, b, room) = chat;
        await chat.JoinBothAsync();
        var messageId = (await a.SendMessageAsync(room, "vote")).Str("messageId");

        var first = await b.ReactAsync(room, messageId, "👍");
        var again = await b.ReactAsync(room, messageId, "👍");
        var resent = await b.ReactAsync(room, messageId, "👍", id: first.Str("id"));
        await a.ReactAsync(room, messageId, "👍");
        await b.ReactAsync(room, messageId, "🎉");
        var removed = await b.UnreactAsync(room, messageId, "🎉");
        var removedAgain = await b.UnreactAsync(room, messageId, "🎉");
        var reactions = new List<JsonElement>();
        while (reactions.Count < 4)
        {
            reactions.Add(await a.WaitForAsync(FrameTypes.Reaction));
        }

        var history = await ConversationTestKit.HistoryAsync(fixture, alice, room);

        Assert.Equal(2L, first.Seq());
        Assert.Equal(first.GetRawText(), resent.GetRawText());
        Assert.Equal(2L, again.Seq());
        Assert.Equal(5L, removedAgain.Seq());
        Assert.Equal(
            [(2L, "👍", bob.UserId, "add"), (3L, "👍", alice.UserId, "add"), (4L, "🎉", bob.UserId, "add"), (5L, "🎉", bob.UserId, "remove")],
            reactions.Select(r => (r.Seq(), r.Str("emoji"), r.Str("userId"), r.Str("op"))));
        Assert.Equal(removed.Seq(), reactions[^1].Seq());
        Assert.DoesNotContain(await a.DrainAsync(), f => f.Type() == FrameTypes.Reaction);
        var message = Assert.Single(history.GetProperty("messages").EnumerateArray());
        var counts = message.GetProperty("reactions").EnumerateObject().Select(p => (p.Name, p.Value.GetInt32()));
        Assert.Equal([("👍", 2)], counts);
    }

    [Fact]
    public async Task A_rejoin_with_since_recovers_a_stretch_of_edits_deletes_and_reactions_with_no_gap_and_no_duplicate()
    {
        await using var chat = await RealtimeTestKit.StartTwoReplicaChatAsync(fixture, "recover");
        var (_, bob, a, b, room) = chat;
        await chat.JoinBothAsync();
        var kept = (await a.SendMessageAsync(room, "kept")).Str("messageId");
        var lastSeen = (await b.WaitForAsync("message")).Seq();
        await b.DisposeAsync();

        var doomed = (await a.SendMessageAsync(room, "doomed")).Str("messageId");
        await a.EditAsync(room, kept, "kept, edited");
        await a.ReactAsync(room, kept, "❤️");
        await a.EditAsync(room, doomed, "doomed, edited");
        await a.DeleteAsync(room, doomed);
        var last = (await a.SendMessageAsync(room, "after")).Seq();

        await using var back = await RealtimeTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, bob, replica => replica != a.ReplicaId);
        var joined = await back.JoinAsync(room, since: lastSeen);
        var replayed = new List<JsonElement>();
        while (replayed.Count < last - lastSeen)
        {
            replayed.Add(await back.ReceiveAsync());
        }

        Assert.True(joined.GetProperty("recovered").GetBoolean());
        Assert.Equal(Enumerable.Range((int)lastSeen + 1, (int)(last - lastSeen)).Select(seq => (long)seq), replayed.Select(f => f.Seq()));
        Assert.Equal(
            ["message", "message_edited", "reaction", "message_edited", "message_deleted", "message"],
            replayed.Select(f => f.Type()));
        // The deleted message comes as its tombstone, and its edit without the content: Redis and history no longer have it.
        Assert.DoesNotContain(replayed, f => f.GetRawText().Contains("doomed", StringComparison.Ordinal));
        Assert.DoesNotContain(await back.DrainAsync(), f => f.TryGetProperty("seq", out _));
    }
}
