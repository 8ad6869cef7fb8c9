using System.Net.Http.Json;
using System.Text.Json;
using RealtimeAspire.Contracts;
using RealtimeAspire.Contracts.Frames;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;
using RealtimeAspire.Tests.Messages;
using RealtimeAspire.Tests.SignalR;

namespace RealtimeAspire.Tests.Data;

/// <summary>
/// A message's structured <c>data</c> (protocol.md §5) through the Gateway: live on both replicas over WebSocket and
/// SignalR, in PostgreSQL, in history and in a recovery with <c>since</c>, exactly as sent; and its limits.
/// </summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class StructuredDataTests(RealtimeAppFixture fixture)
{
    private static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(90);

    /// <summary>Values a lossy carrier would change: a decimal's trailing zero, an integer beyond a double, non-ASCII text.</summary>
    private static readonly JsonElement Order = JsonElement.Parse("""
        {"order":"A-17","price":101.50,"ticks":12345678901234567890,"lines":[{"sku":"x","qty":2},null,true],"note":"héllo 😀 <b>&</b>","empty":{}}
        """);

    private static JsonElement Data(JsonElement frame) => frame.GetProperty("data");

    [Fact]
    public async Task Data_beside_and_instead_of_content_reaches_both_replicas_postgres_and_history_as_sent()
    {
        await using var chat = await RealtimeTestKit.StartTwoReplicaChatAsync(fixture, "data");
        var (alice, _, a, b, room) = chat;
        await chat.JoinBothAsync();
        await using var kit = await MessagesTestKit.CreateAsync(fixture);

        await a.SendAsync(new MessageRequest(room, "with text", "both", Order));
        var bothAck = await a.WaitForAsync("ack", f => f.Str("id") == "both");
        await a.SendAsync(new MessageRequest(room, null, "only", Order));
        var onlyAck = await a.WaitForAsync("ack", f => f.Str("id") == "only");
        await a.SendMessageAsync(room, "plain v1");
        var atB = new[] { await b.WaitForAsync("message"), await b.WaitForAsync("message"), await b.WaitForAsync("message") };
        var atA = await a.WaitForAsync("message", f => f.Seq() == onlyAck.Seq());

        Assert.Equal((1L, 2L), (bothAck.Seq(), onlyAck.Seq()));
        Assert.True(JsonElement.DeepEquals(Order, Data(atB[0])));
        Assert.Equal("with text", atB[0].Str("content"));
        Assert.True(JsonElement.DeepEquals(Order, Data(atB[1])));
        Assert.False(atB[1].TryGetProperty("content", out _));
        Assert.False(atB[2].TryGetProperty("data", out _));
        Assert.Equal(atA.GetRawText(), atB[1].GetRawText());
        // The values keep their text, not only their meaning.
        Assert.Contains("\"price\":101.50", atB[1].GetRawText());
        Assert.Contains("\"ticks\":12345678901234567890", atB[1].GetRawText());

        // History before and after MessageService stored them: the same frames.
        var unstored = await HistoryAsync(alice, room);
        Assert.Equal(3, await kit.WaitForStoredAsync([room], 3, StoreTimeout));
        var stored = await kit.StoredAsync(room);
        var history = await HistoryAsync(alice, room);

        Assert.True(JsonElement.DeepEquals(Order, JsonElement.Parse(stored[1].Data!)));
        Assert.Null(stored[1].Content);
        Assert.Null(stored[2].Data);
        foreach (var page in new[] { unstored, history })
        {
            Assert.Equal(3, page.Count);
            Assert.True(JsonElement.DeepEquals(Order, Data(page[0])));
            Assert.Equal("with text", page[0].Str("content"));
            Assert.True(JsonElement.DeepEquals(Order, Data(page[1])));
            Assert.False(page[1].TryGetProperty("content", out _));
            Assert.False(page[2].TryGetProperty("data", out _));
            Assert.Contains("\"price\":101.50", page[1].GetRawText());
            Assert.Contains("\"ticks\":12345678901234567890", page[1].GetRawText());
        }
    }

    [Fact]
    public async Task A_rejoin_with_since_replays_data_messages_as_they_were_delivered()
    {
        await using var chat = await RealtimeTestKit.StartTwoReplicaChatAsync(fixture, "data-since");
        var (_, bob, a, b, room) = chat;
        await chat.JoinBothAsync();
        await a.SendAsync(new MessageRequest(room, null, "first", JsonElement.Parse("""{"n":1}""")));
        var seen = await b.WaitForAsync("message");
        await b.DisposeAsync();

        await a.SendAsync(new MessageRequest(room, null, "missed-1", Order));
        await a.WaitForAsync("ack", f => f.Str("id") == "missed-1");
        await a.SendAsync(new MessageRequest(room, "text too", "missed-2", JsonElement.Parse("""{"n":3}""")));
        var live = new[] { await a.WaitForAsync("message", f => f.Seq() == 2), await a.WaitForAsync("message", f => f.Seq() == 3) };
        await using var back = await RealtimeTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, bob, _ => true);
        var joined = await back.JoinAsync(room, since: seen.Seq());
        var replayed = new[] { await back.ExpectAsync("message"), await back.ExpectAsync("message") };

        Assert.True(joined.GetProperty("recovered").GetBoolean());
        Assert.Equal(live.Select(f => f.GetRawText()), replayed.Select(f => f.GetRawText()));
        Assert.True(JsonElement.DeepEquals(Order, Data(replayed[0])));
    }

    [Fact]
    public async Task SignalR_sends_and_receives_data_and_recovers_it_with_since()
    {
        using var http = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(http, "alice");
        var bob = await RealtimeTestClient.CreateUserAsync(http, "bob");
        await using var hub = await HubTestClient.ConnectAsync(fixture.GatewayUri, alice);
        await using var ws = await RealtimeTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, bob, replica => replica != hub.ReplicaId);
        var room = RealtimeTestKit.NewRoom("hub-data");
        await hub.JoinAsync(room);
        await ws.JoinAsync(room);

        var ack = await hub.InvokeAsync("SendMessage", room, new { data = Order, id = "h-1" });
        var both = await hub.InvokeAsync("SendMessage", room, new { content = "and text", data = JsonElement.Parse("""{"k":[1,2]}""") });
        var plain = await hub.SendAsync(room, "v1 call", null);
        var refused = await hub.InvokeAsync("SendMessage", room, new { data = JsonElement.Parse("[1]"), id = "h-2" });
        var empty = await hub.InvokeAsync("SendMessage", room, new { id = "h-3" });
        var atHub = await hub.WaitForAsync("message", f => f.Seq() == 1);
        var atWs = new[] { await ws.WaitForAsync("message"), await ws.WaitForAsync("message"), await ws.WaitForAsync("message") };
        await using var later = await HubTestClient.ConnectAsync(fixture.GatewayUri, bob);
        var rejoined = await later.JoinAsync(room, since: 0);
        var replayed = await later.WaitForAsync("message", f => f.Seq() == 1);

        Assert.Equal(("ack", "h-1", 1L), (ack.Type(), ack.Str("id"), ack.Seq()));
        Assert.Equal((2L, 3L), (both.Seq(), plain.Seq()));
        Assert.Equal(("error", ErrorCodes.InvalidMessage, "h-2"), (refused.Type(), refused.Str("code"), refused.Str("id")));
        Assert.Equal(("error", ErrorCodes.InvalidMessage), (empty.Type(), empty.Str("code")));
        Assert.Equal(atHub.GetRawText(), atWs[0].GetRawText());
        Assert.True(JsonElement.DeepEquals(Order, Data(atHub)));
        Assert.False(atHub.TryGetProperty("content", out _));
        Assert.Equal("and text", atWs[1].Str("content"));
        Assert.True(JsonElement.DeepEquals(JsonElement.Parse("""{"k":[1,2]}"""), Data(atWs[1])));
        Assert.False(atWs[2].TryGetProperty("data", out _));
        Assert.Equal(3L, rejoined.Seq());
        Assert.Equal(atWs[0].GetRawText(), replayed.GetRawText());
    }

    [Fact]
    public async Task Data_of_exactly_16_KiB_passes_and_what_is_refused_is_neither_delivered_nor_stored()
    {
        await using var chat = await RealtimeTestKit.StartTwoReplicaChatAsync(fixture, "data-limits");
        var (alice, _, a, b, room) = chat;
        await chat.JoinBothAsync();
        await using var kit = await MessagesTestKit.CreateAsync(fixture);
        var atLimit = DataOf(StructuredData.DefaultMaxBytes);
        var over = DataOf(StructuredData.DefaultMaxBytes + 1);

        await a.SendTextAsync($$"""{"type":"message","room":"{{room}}","id":"limit","data":{{atLimit}}}""");
        var limitAck = await a.WaitForAsync("ack", f => f.Str("id") == "limit");
        var errors = new Dictionary<string, JsonElement>();
        foreach (var (id, data) in new[] { ("over", over), ("array", "[1,2]"), ("string", "\"text\""), ("number", "7"), ("nul", """{"a":"\u0000"}""") })
        {
            await a.SendTextAsync($$"""{"type":"message","room":"{{room}}","id":"{{id}}","data":{{data}}}""");
            errors[id] = await a.WaitForAsync("error", f => f.Str("id") == id);
        }

        await a.SendTextAsync($$"""{"type":"message","room":"{{room}}","id":"neither"}""");
        errors["neither"] = await a.WaitForAsync("error", f => f.Str("id") == "neither");
        var markerAck = await a.SendMessageAsync(room, "after the refused ones");
        var delivered = new[] { await b.WaitForAsync("message"), await b.WaitForAsync("message") };

        Assert.Equal(1L, limitAck.Seq());
        Assert.Equal(ErrorCodes.DataTooLarge, errors["over"].Str("code"));
        Assert.All(new[] { "array", "string", "number", "nul", "neither" }, id => Assert.Equal(ErrorCodes.InvalidMessage, errors[id].Str("code")));
        Assert.Equal(2L, markerAck.Seq());
        Assert.Equal(StructuredData.DefaultMaxBytes, System.Text.Encoding.UTF8.GetByteCount(Data(delivered[0]).GetRawText()));
        Assert.Equal("after the refused ones", delivered[1].Str("content"));
        Assert.Equal(2, await kit.WaitForStoredAsync([room], 2, StoreTimeout));
        Assert.Equal([1L, 2L], (await kit.StoredAsync(room)).Select(m => m.Seq));
        Assert.Equal(2, (await HistoryAsync(alice, room)).Count);
        Assert.DoesNotContain(await b.DrainAsync(), f => f.Type() == "message");
    }

    /// <summary>A data object whose JSON is exactly <paramref name="bytes"/> bytes.</summary>
    private static string DataOf(int bytes) => $$"""{"f":"{{new string('x', bytes - 8)}}"}""";

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
