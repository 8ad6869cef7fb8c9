using System.Net.Http.Json;
using System.Text.Json;
using RealtimeAspire.Contracts;
using RealtimeAspire.Contracts.Frames;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;
using RealtimeAspire.Tests.SignalR;

namespace RealtimeAspire.Tests.Data;

/// <summary>
/// The publish hook (protocol.md §6) through the Gateway, against a real receiver in the test process: accept, reject,
/// replace, and fail-open on a timeout or an error. Every request it gets must verify with StandardWebhooks.
/// </summary>
[Collection(PublishHookAppCollection.Name)]
public sealed class PublishHookTests(PublishHookAppFixture fixture)
{
    private PublishHookReceiver Receiver => fixture.Receiver;

    [Fact]
    public async Task An_accepted_message_is_delivered_as_sent_after_one_signed_call_with_every_field()
    {
        await using var chat = await RealtimeTestKit.StartTwoReplicaChatAsync(fixture, "hook-accept");
        var (alice, _, a, b, room) = chat;
        await chat.JoinBothAsync();
        var data = JsonElement.Parse("""{"kind":"poll","options":["a","b"]}""");

        await a.SendAsync(new MessageRequest(room, "hello hook", "m-1", data));
        var ack = await a.WaitForAsync("ack", f => f.Str("id") == "m-1");
        var atB = await b.WaitForAsync("message");

        var call = Assert.Single(Receiver.CallsFor(room));
        Assert.True(call.SignatureVerified);
        Assert.StartsWith("msg_", call.WebhookId);
        Assert.Equal((room, alice.UserId, alice.Username, "hello hook"),
            ((string?)call.Body["room"], (string?)call.Body["userId"], (string?)call.Body["username"], call.Content));
        Assert.True(JsonElement.DeepEquals(data, JsonElement.Parse(call.Body["data"]!.ToJsonString())));
        Assert.Equal((1L, "hello hook"), (ack.Seq(), atB.Str("content")));
        Assert.True(JsonElement.DeepEquals(data, atB.GetProperty("data")));
    }

    [Fact]
    public async Task A_rejected_message_answers_rejected_with_the_reason_and_is_neither_delivered_nor_stored()
    {
        await using var chat = await RealtimeTestKit.StartTwoReplicaChatAsync(fixture, "hook-reject");
        var (alice, _, a, b, room) = chat;
        await chat.JoinBothAsync();

        await a.SendTextAsync($$"""{"type":"message","room":"{{room}}","content":"reject:no spam here","id":"bad"}""");
        var error = await a.WaitForAsync("error", f => f.Str("id") == "bad");
        var after = await a.SendMessageAsync(room, "fine");
        var delivered = await b.WaitForAsync("message");
        var history = await HistoryAsync(alice, room);

        Assert.Equal((ErrorCodes.Rejected, "no spam here"), (error.Str("code"), error.Str("message")));
        Assert.Equal((1L, "fine"), (after.Seq(), delivered.Str("content")));
        Assert.Equal(["fine"], history.Select(m => m.Str("content")));
        Assert.DoesNotContain(await b.DrainAsync(), f => f.Type() == "message");
    }

    [Fact]
    public async Task A_replaced_message_is_delivered_stored_and_recovered_replaced_over_websocket_and_signalr()
    {
        using var http = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(http, "alice");
        var bob = await RealtimeTestClient.CreateUserAsync(http, "bob");
        await using var hub = await HubTestClient.ConnectAsync(fixture.GatewayUri, alice);
        await using var ws = await RealtimeTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, bob, replica => replica != hub.ReplicaId);
        var room = RealtimeTestKit.NewRoom("hook-replace");
        await hub.JoinAsync(room);
        await ws.JoinAsync(room);

        var ack = await hub.SendAsync(room, "replace:rude words", "r-1");
        var atWs = await ws.WaitForAsync("message");
        var atHub = await hub.WaitForAsync("message");
        var history = await HistoryAsync(alice, room);
        await using var later = await RealtimeTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, bob, _ => true);
        await later.JoinAsync(room, since: 0);
        var replayed = await later.ExpectAsync("message");

        Assert.Equal(("ack", 1L), (ack.Type(), ack.Seq()));
        Assert.Equal("replaced rude words", atWs.Str("content"));
        Assert.True(JsonElement.DeepEquals(JsonElement.Parse("""{"moderated":true,"original":"replace:rude words"}"""), atWs.GetProperty("data")));
        Assert.Equal(atWs.GetRawText(), atHub.GetRawText());
        // History comes from PostgreSQL's jsonb, which keeps the values but not the key order.
        Assert.True(JsonElement.DeepEquals(atWs, Assert.Single(history)));
        Assert.Equal(atWs.GetRawText(), replayed.GetRawText());
    }

    [Theory]
    [InlineData("slow")]
    [InlineData("fail")]
    public async Task A_hook_that_times_out_or_fails_lets_the_message_through_when_the_operator_fails_open(string behaviour)
    {
        await using var chat = await RealtimeTestKit.StartTwoReplicaChatAsync(fixture, $"hook-open-{behaviour}");
        var (_, _, a, b, room) = chat;
        await chat.JoinBothAsync();

        var ack = await a.SendMessageAsync(room, behaviour);
        var delivered = await b.WaitForAsync("message");

        Assert.Single(Receiver.CallsFor(room));
        Assert.Equal((1L, behaviour), (ack.Seq(), delivered.Str("content")));
    }

    [Fact]
    public async Task A_resend_of_an_acked_id_gets_the_same_ack_without_asking_the_hook_again()
    {
        await using var chat = await RealtimeTestKit.StartTwoReplicaChatAsync(fixture, "hook-resend");
        var (_, _, a, _, room) = chat;
        await chat.JoinBothAsync();

        var first = await a.SendMessageAsync(room, "replace:once", "same-id");
        var again = await a.SendMessageAsync(room, "replace:once", "same-id");

        Assert.Equal(first.GetRawText(), again.GetRawText());
        Assert.Single(Receiver.CallsFor(room));
    }

    private async Task<List<JsonElement>> HistoryAsync(TestUser user, string room)
    {
        using var http = fixture.CreateGatewayClient();
        using var request = RealtimeTestKit.Authorized(HttpMethod.Get, $"/api/rooms/{room}/messages?after=0&limit=200", user);
        using var timeout = new CancellationTokenSource(RealtimeTestKit.Timeout);
        using var response = await http.SendAsync(request, timeout.Token);
        response.EnsureSuccessStatusCode();
        var page = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
        return [.. page.GetProperty("messages").EnumerateArray()];
    }
}

/// <summary>The publish hook with <c>OnFailure=reject</c>: a timeout or an error refuses the message with <c>unavailable</c>.</summary>
[Collection(FailClosedPublishHookAppCollection.Name)]
public sealed class FailClosedPublishHookTests(FailClosedPublishHookAppFixture fixture)
{
    [Theory]
    [InlineData("slow")]
    [InlineData("fail")]
    public async Task A_hook_that_times_out_or_fails_refuses_the_message_with_unavailable_and_nothing_is_delivered(string behaviour)
    {
        await using var chat = await RealtimeTestKit.StartTwoReplicaChatAsync(fixture, $"hook-closed-{behaviour}");
        var (_, _, a, b, room) = chat;
        await chat.JoinBothAsync();

        await a.SendTextAsync($$"""{"type":"message","room":"{{room}}","content":"{{behaviour}}","id":"x-1"}""");
        var error = await a.WaitForAsync("error", f => f.Str("id") == "x-1", TimeSpan.FromSeconds(60));
        var accepted = await a.SendMessageAsync(room, "answered in time");
        var delivered = await b.WaitForAsync("message");

        Assert.Equal((ErrorCodes.Unavailable, 1000L), (error.Str("code"), error.GetProperty("retryAfterMs").GetInt64()));
        Assert.Equal((1L, "answered in time"), (accepted.Seq(), delivered.Str("content")));
        Assert.Equal(2, fixture.Receiver.CallsFor(room).Count());
    }
}
