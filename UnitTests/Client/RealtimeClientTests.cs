using System.Text.Json;
using RealtimeAspire.Client;
using RealtimeAspire.Contracts;
using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.Tests.Client;

/// <summary>The client against an in-process fake server that plays the protocol step by step.</summary>
public sealed class RealtimeClientTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private FakeRealtimeServer _server = null!;
    private int _tokenCalls;

    public async Task InitializeAsync() => _server = await FakeRealtimeServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Connect_authenticates_with_the_provided_token()
    {
        await using var client = CreateClient();

        await client.ConnectAsync().WaitAsync(Timeout);
        await _server.NextConnectionAsync();

        Assert.Equal(RealtimeConnectionState.Connected, client.State);
        Assert.Equal(("u1", "alice", "c1"), (client.UserId, client.Username, client.ConnectionId));
        Assert.Equal(["token-1"], _server.TokensSeen);
    }

    [Fact]
    public async Task Join_returns_the_joined_frame_and_send_completes_with_the_ack()
    {
        await using var client = CreateClient();
        await client.ConnectAsync().WaitAsync(Timeout);
        var server = await _server.NextConnectionAsync();

        var joining = client.JoinAsync("lobby");
        var join = await server.ReceiveAsync("join");
        Assert.False(join.TryGetProperty("since", out _));
        await server.SendAsync(new JoinedFrame("lobby", 7, true, [new PresenceMember("u1", "alice")]));
        var joined = await joining.WaitAsync(Timeout);

        var sending = client.SendAsync("lobby", "hello", "m-1");
        var message = await server.ReceiveAsync("message");
        await server.SendAsync(new AckFrame("m-1", "lobby", "x", 8));
        var ack = await sending.WaitAsync(Timeout);

        Assert.Equal(("lobby", 7L, true), (joined.Room, joined.Seq, joined.Recovered));
        Assert.Equal([new RoomMember("u1", "alice")], joined.Members);
        Assert.Equal(("lobby", "hello", "m-1"), (message.GetProperty("room").GetString(), message.GetProperty("content").GetString(), message.GetProperty("id").GetString()));
        Assert.Equal(new MessageAck("m-1", "lobby", "x", 8), ack);
    }

    [Fact]
    public async Task An_error_frame_with_the_message_id_fails_that_send()
    {
        await using var client = CreateClient();
        await client.ConnectAsync().WaitAsync(Timeout);
        var server = await _server.NextConnectionAsync();

        var sending = client.SendAsync("lobby", "hello", "m-9");
        await server.ReceiveAsync("message");
        await server.SendAsync(new ErrorFrame("rate_limited", "slow down", "m-9", 1500));

        var error = await Assert.ThrowsAsync<RealtimeErrorException>(() => sending.WaitAsync(Timeout));
        Assert.Equal(ErrorCodes.RateLimited, error.Code);
        Assert.Equal(1500, error.Error.RetryAfterMs);
    }

    [Fact]
    public async Task An_unavailable_error_is_retried_with_the_same_id()
    {
        await using var client = CreateClient();
        await client.ConnectAsync().WaitAsync(Timeout);
        var server = await _server.NextConnectionAsync();

        var sending = client.SendAsync("lobby", "hello", "m-7");
        await server.ReceiveAsync("message");
        await server.SendAsync(new ErrorFrame("unavailable", "redis down", "m-7", 50));
        var retried = await server.ReceiveAsync("message");
        await server.SendAsync(new AckFrame("m-7", "lobby", "x", 1));

        Assert.Equal("m-7", retried.GetProperty("id").GetString());
        Assert.Equal(1, (await sending.WaitAsync(Timeout)).Seq);
    }

    [Fact]
    public async Task A_left_frame_nobody_asked_for_reports_the_removal_and_forgets_the_room()
    {
        await using var client = CreateClient();
        var removed = new TaskCompletionSource<RoomRemoval>();
        client.RemovedFromRoom += (_, removal) => removed.TrySetResult(removal);
        await client.ConnectAsync().WaitAsync(Timeout);
        var server = await _server.NextConnectionAsync();
        await JoinAsync(client, server, "private", seq: 3);

        await server.SendAsync(new LeftFrame("private"));

        Assert.Equal("private", (await removed.Task.WaitAsync(Timeout)).Room);
        Assert.Empty(client.Rooms);
    }

    [Fact]
    public async Task A_join_refused_with_an_error_fails_and_the_room_is_not_tracked()
    {
        await using var client = CreateClient();
        await client.ConnectAsync().WaitAsync(Timeout);
        var server = await _server.NextConnectionAsync();

        var joining = client.JoinAsync("secret");
        await server.ReceiveAsync("join");
        await server.SendAsync(new ErrorFrame("forbidden", "no"));

        var error = await Assert.ThrowsAsync<RealtimeErrorException>(() => joining.WaitAsync(Timeout));
        Assert.Equal(ErrorCodes.Forbidden, error.Code);
        Assert.Empty(client.Rooms);
    }

    [Fact]
    public async Task Send_without_an_ack_times_out()
    {
        await using var client = CreateClient(requestTimeout: TimeSpan.FromMilliseconds(300));
        await client.ConnectAsync().WaitAsync(Timeout);
        await _server.NextConnectionAsync();

        await Assert.ThrowsAsync<TimeoutException>(() => client.SendAsync("lobby", "hello").WaitAsync(Timeout));
    }

    [Fact]
    public async Task Cancelling_a_request_throws_OperationCanceled()
    {
        await using var client = CreateClient();
        await client.ConnectAsync().WaitAsync(Timeout);
        await _server.NextConnectionAsync();
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.PresenceAsync("lobby", cancellation.Token).WaitAsync(Timeout));
    }

    [Fact]
    public async Task Messages_are_delivered_once_each_in_order_and_other_events_are_typed()
    {
        await using var client = CreateClient();
        var handled = new List<long>();
        client.MessageReceived += (_, m) => handled.Add(m.Seq);
        await client.ConnectAsync().WaitAsync(Timeout);
        var server = await _server.NextConnectionAsync();
        await JoinAsync(client, server, "lobby", seq: 0);
        using var reading = new CancellationTokenSource(Timeout);
        var events = client.ReadEventsAsync(reading.Token).GetAsyncEnumerator(reading.Token);
        var first = events.MoveNextAsync(); // a reader sees events from its first MoveNextAsync on

        foreach (var seq in new long[] { 1, 2, 2, 1, 3 })
        {
            await server.SendAsync(Message("lobby", seq));
        }

        await server.SendAsync(new RoomUserFrame(FrameTypes.UserJoined, "lobby", "u2", "bob"));
        await server.SendAsync(new RoomUserFrame(FrameTypes.UserTyping, "lobby", "u2", "bob"));
        await server.SendAsync(new NotificationFrame(FrameTypes.MentionKind, Message("lobby", 3)));
        await server.SendAsync(new ErrorFrame("invalid_json", "bad"));

        Assert.True(await first);
        var received = new List<RealtimeEvent> { events.Current };
        while (received.Count < 7 && await events.MoveNextAsync())
        {
            received.Add(events.Current);
        }

        Assert.Equal([1L, 2, 3], received.OfType<ChatMessage>().Select(m => m.Seq));
        Assert.Equal([1L, 2, 3], handled);
        Assert.Equal(new UserJoined("lobby", "u2", "bob"), received[3]);
        Assert.Equal(new UserTyping("lobby", "u2", "bob"), received[4]);
        Assert.Equal(3, Assert.IsType<Notification>(received[5]).Message.Seq);
        Assert.Equal("invalid_json", Assert.IsType<ServerError>(received[6]).Code);
        Assert.Equal(3, client.GetLastSeq("lobby"));
        await events.DisposeAsync();
    }

    [Fact]
    public async Task Unreadable_and_unknown_frames_are_skipped_without_dropping_the_connection()
    {
        await using var client = CreateClient();
        // Events are raised by the client's dispatcher, after the frame's seq is recorded.
        var seen = new System.Collections.Concurrent.ConcurrentQueue<long>();
        client.MessageReceived += (_, m) => seen.Enqueue(m.Seq);
        await client.ConnectAsync().WaitAsync(Timeout);
        var server = await _server.NextConnectionAsync();
        await JoinAsync(client, server, "lobby", seq: 0);

        await server.SendAsync(new { type = "message", room = "lobby", seq = "not a number" });
        await server.SendAsync(new { type = "something_new", detail = 1 });
        await server.SendAsync(Message("lobby", 1));

        await WaitUntilAsync(() => client.GetLastSeq("lobby") == 1 && !seen.IsEmpty);
        Assert.Equal([1L], seen);
        Assert.Equal(RealtimeConnectionState.Connected, client.State);
        Assert.Single(_server.TokensSeen);
    }

    [Fact]
    public async Task A_throwing_event_handler_does_not_stop_the_client()
    {
        await using var client = CreateClient();
        var seen = new List<long>();
        client.MessageReceived += (_, m) => throw new InvalidOperationException("handler bug");
        client.MessageReceived += (_, m) => seen.Add(m.Seq);
        await client.ConnectAsync().WaitAsync(Timeout);
        var server = await _server.NextConnectionAsync();
        await JoinAsync(client, server, "lobby", seq: 0);

        await server.SendAsync(Message("lobby", 1));
        var presence = client.PresenceAsync("lobby");
        await server.ReceiveAsync("presence");
        await server.SendAsync(new PresenceFrame("lobby", [new PresenceMember("u1", "alice")]));

        Assert.Equal("alice", Assert.Single((await presence.WaitAsync(Timeout)).Members).Username);
        Assert.Equal(RealtimeConnectionState.Connected, client.State);
    }

    [Fact]
    public async Task After_a_drop_it_rejoins_with_since_and_resends_unacked_messages_with_the_same_id()
    {
        await using var client = CreateClient();
        var rejoined = new List<RoomRejoined>();
        client.Rejoined += (_, r) =>
        {
            lock (rejoined)
            {
                rejoined.Add(r);
            }
        };
        await client.ConnectAsync().WaitAsync(Timeout);
        var first = await _server.NextConnectionAsync();
        await JoinAsync(client, first, "lobby", seq: 10);
        await JoinAsync(client, first, "quiet", seq: 4);
        await first.SendAsync(Message("lobby", 11));
        await first.SendAsync(Message("lobby", 12));
        var sending = client.SendAsync("lobby", "unacked", "m-42");
        await first.ReceiveAsync("message");
        await WaitUntilAsync(() => client.GetLastSeq("lobby") == 12);

        first.Abort();
        var second = await _server.NextConnectionAsync();
        var rejoins = new[] { await second.ReceiveAsync("join"), await second.ReceiveAsync("join") }
            .ToDictionary(j => j.GetProperty("room").GetString()!, j => j.GetProperty("since").GetInt64());
        Assert.Equal(new Dictionary<string, long> { ["lobby"] = 12, ["quiet"] = 4 }, rejoins);
        await second.SendAsync(new JoinedFrame("lobby", 13, true, []));
        await second.SendAsync(new JoinedFrame("quiet", 4, false, []));

        var resent = await second.ReceiveAsync("message");
        Assert.Equal("m-42", resent.GetProperty("id").GetString());
        await second.SendAsync(new AckFrame("m-42", "lobby", "x", 13));
        Assert.Equal(13, (await sending.WaitAsync(Timeout)).Seq);
        Assert.Equal(2, _tokenCalls);
        await WaitUntilAsync(() => client.State == RealtimeConnectionState.Connected);
        lock (rejoined)
        {
            Assert.Equal([("lobby", true), ("quiet", false)], rejoined.Select(r => (r.Joined.Room, r.Joined.Recovered)).Order());
        }
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(4001)]
    public async Task A_close_with_normal_or_replaced_stops_the_client(int code)
    {
        await using var client = CreateClient();
        var closed = new TaskCompletionSource<ConnectionStateChanged>();
        client.StateChanged += (_, change) =>
        {
            if (change.State == RealtimeConnectionState.Closed)
            {
                closed.TrySetResult(change);
            }
        };
        await client.ConnectAsync().WaitAsync(Timeout);
        var server = await _server.NextConnectionAsync();

        await server.CloseAsync(code);

        Assert.Equal(code, (await closed.Task.WaitAsync(Timeout)).CloseCode);
        await Assert.ThrowsAsync<RealtimeClosedException>(() => client.JoinAsync("lobby").WaitAsync(Timeout));
        await Assert.ThrowsAsync<TimeoutException>(() => _server.NextConnectionAsync(TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task A_4401_close_asks_the_token_provider_again_and_reconnects_at_once()
    {
        await using var client = CreateClient(baseDelay: TimeSpan.FromMinutes(1));
        await client.ConnectAsync().WaitAsync(Timeout);
        var first = await _server.NextConnectionAsync();

        await first.CloseAsync(4401);
        await _server.NextConnectionAsync();

        Assert.Equal(["token-1", "token-2"], _server.TokensSeen);
    }

    [Fact]
    public async Task A_rejected_token_is_refreshed_and_retried_with_backoff()
    {
        _server.RejectedTokens.Add("token-2");
        await using var client = CreateClient(baseDelay: TimeSpan.FromMilliseconds(10));
        await client.ConnectAsync().WaitAsync(Timeout);
        var first = await _server.NextConnectionAsync();

        first.Abort();
        await _server.NextConnectionAsync();

        Assert.Equal(["token-1", "token-2", "token-3"], _server.TokensSeen);
    }

    [Fact]
    public async Task A_1001_close_reconnects_at_once_without_waiting_for_backoff()
    {
        await using var client = CreateClient(baseDelay: TimeSpan.FromMinutes(1));
        await client.ConnectAsync().WaitAsync(Timeout);
        var first = await _server.NextConnectionAsync();

        await first.CloseAsync(1001);

        await _server.NextConnectionAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_silent_server_is_dropped_after_two_heartbeat_intervals()
    {
        _server.HeartbeatIntervalMs = 100;
        await using var client = CreateClient(baseDelay: TimeSpan.FromMilliseconds(10));
        await client.ConnectAsync().WaitAsync(Timeout);
        var first = await _server.NextConnectionAsync();
        first.AnswerPings = false;

        var second = await _server.NextConnectionAsync();

        Assert.True(first.PingsReceived >= 1);
        Assert.NotEqual(first.ConnectionId, second.ConnectionId);
    }

    [Fact]
    public async Task A_live_connection_reauthenticates_with_a_fresh_token()
    {
        _server.HeartbeatIntervalMs = 500; // the refresh is checked on each heartbeat tick
        await using var client = CreateClient(tokenRefresh: TimeSpan.FromMilliseconds(100));
        await client.ConnectAsync().WaitAsync(Timeout);
        var server = await _server.NextConnectionAsync();

        var auth = await server.ReceiveAsync("auth");

        Assert.Equal("token-2", auth.GetProperty("token").GetString());
    }

    [Fact]
    public async Task Close_sends_1000_and_fails_waiting_requests()
    {
        var client = CreateClient();
        await client.ConnectAsync().WaitAsync(Timeout);
        var server = await _server.NextConnectionAsync();
        var sending = client.SendAsync("lobby", "never acked");
        await server.ReceiveAsync("message");

        await client.CloseAsync().WaitAsync(Timeout);
        await server.Completion.WaitAsync(Timeout);

        Assert.Equal(1000, server.ClientCloseCode);
        Assert.Equal(RealtimeConnectionState.Closed, client.State);
        await Assert.ThrowsAsync<RealtimeClosedException>(() => sending.WaitAsync(Timeout));
    }

    [Fact]
    public async Task Leave_and_typing_use_the_room()
    {
        await using var client = CreateClient();
        await client.ConnectAsync().WaitAsync(Timeout);
        var server = await _server.NextConnectionAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.TypingAsync("lobby").WaitAsync(Timeout));
        await JoinAsync(client, server, "lobby", seq: 0);

        await client.TypingAsync("lobby").WaitAsync(Timeout);
        Assert.Equal("lobby", (await server.ReceiveAsync("typing")).GetProperty("room").GetString());
        var leaving = client.LeaveAsync("lobby");
        await server.ReceiveAsync("leave");
        await server.SendAsync(new LeftFrame("lobby"));
        await leaving.WaitAsync(Timeout);

        Assert.Empty(client.Rooms);
    }

    private RealtimeClient CreateClient(TimeSpan? requestTimeout = null, TimeSpan? baseDelay = null, TimeSpan? tokenRefresh = null) =>
        new(new RealtimeClientOptions
        {
            Url = _server.Url,
            TokenProvider = _ => ValueTask.FromResult($"token-{Interlocked.Increment(ref _tokenCalls)}"),
            RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(5),
            ReconnectBaseDelay = baseDelay ?? TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMinutes(1),
            TokenRefreshInterval = tokenRefresh,
        });

    private static async Task JoinAsync(RealtimeClient client, FakeConnection server, string room, long seq)
    {
        var joining = client.JoinAsync(room);
        await server.ReceiveAsync("join");
        await server.SendAsync(new JoinedFrame(room, seq, true, []));
        await joining.WaitAsync(Timeout);
    }

    private static MessageFrame Message(string room, long seq) =>
        new(room, $"id-{seq}", seq, "u2", "bob", $"m{seq}", new DateTimeOffset(2026, 11, 25, 20, 0, 0, TimeSpan.Zero));

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
