using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using RealtimeAspire.ConnectionService.Redis;
using RealtimeAspire.Tests.Infrastructure;
using StackExchange.Redis;

namespace RealtimeAspire.Tests.Connection;

[Collection(ConnectionLimitsCollection.Name)]
public sealed class TimingLimitsTests(ConnectionLimitsFixture fixture)
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_peer_that_stops_answering_pings_is_dropped_after_two_heartbeat_intervals()
    {
        using var http = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(http);
        var bob = await RealtimeTestClient.CreateUserAsync(http);
        await using var watcher = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, alice);
        await using var silent = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, bob);
        var room = RealtimeTestKit.NewRoom("heartbeat");
        await watcher.JoinAsync(room);
        await silent.JoinAsync(room);
        await watcher.WaitForAsync("user_joined");

        silent.Pause();
        await silent.SendAsync(new { type = "ping" });
        var left = await watcher.WaitForAsync("user_left", timeout: TimeSpan.FromMilliseconds(4 * ConnectionLimitsFixture.HeartbeatIntervalMs));
        silent.Resume();

        Assert.Equal(bob.UserId, left.Str("userId"));
        Assert.Null(await silent.WaitForCloseAsync(Long));
        Assert.Empty(await watcher.DrainAsync());
    }

    [Fact]
    public async Task A_slow_consumer_is_closed_with_1008_and_the_others_get_every_message()
    {
        using var http = fixture.CreateGatewayClient();
        var sender = await RealtimeTestClient.CreateUserAsync(http);
        var reader = await RealtimeTestClient.CreateUserAsync(http);
        var sluggard = await RealtimeTestClient.CreateUserAsync(http);
        await using var slow = await RealtimeTestClient.ConnectAsync(fixture.GatewayUri, sluggard.AccessToken, socketReceiveBufferBytes: 4096);
        await slow.ReceiveWelcomeAsync();
        await slow.ExpectAsync("auth_success");
        var (s, r) = await RealtimeTestKit.ConnectOnTwoReplicasAsync(fixture.GatewayUri, sender, reader);
        await using var _ = s;
        await using var __ = r;
        var room = RealtimeTestKit.NewRoom("slow");
        await slow.JoinAsync(room);
        await s.JoinAsync(room);
        await r.JoinAsync(room);

        slow.Pause();
        await slow.SendAsync(new { type = "ping" });
        var content = new string('z', 4000);
        var sent = 0L;
        var slowLeft = r.WaitForAsync("user_left", f => f.Str("userId") == sluggard.UserId, Long);
        while (!slowLeft.IsCompleted && sent < 5_000)
        {
            // Ten at a time without waiting for acks, then the last ack: a fast, steady sender.
            for (var i = 0; i < 9; i++)
            {
                await s.SendAsync(new { type = "message", room, content });
            }

            sent = (await s.SendMessageAsync(room, content)).Seq();
        }

        await slowLeft;
        slow.Resume();
        var received = new List<long>();
        while (received.Count < sent)
        {
            received.Add((await r.WaitForAsync("message")).Seq());
        }

        Assert.Equal(1008, await slow.WaitForCloseAsync(Long));
        Assert.Equal(Enumerable.Range(1, (int)sent).Select(i => (long)i), received);
        Assert.Equal(WebSocketState.Open, r.Socket.State);
    }

    [Fact]
    public async Task An_expired_token_closes_with_4401_unless_auth_refreshed_it()
    {
        using var http = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(http);
        await using var stale = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, alice);
        await using var refreshed = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, alice);

        await Task.Delay(ConnectionLimitsFixture.AccessTokenLifetime / 2);
        var (fresh, _) = await RealtimeTestClient.LoginAsync(http, alice.Username, alice.Password);
        await refreshed.SendAsync(new { type = "auth", token = fresh });
        await refreshed.ExpectAsync("auth_success");

        Assert.Equal(4401, await stale.WaitForCloseAsync(Long));
        Assert.Empty(await refreshed.DrainAsync());
        Assert.Equal(4401, await refreshed.WaitForCloseAsync(Long));
    }

    [Fact]
    public async Task Join_with_since_older_than_the_recent_stream_replays_from_stored_history()
    {
        using var http = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(http);
        var bob = await RealtimeTestClient.CreateUserAsync(http);
        var room = RealtimeTestKit.NewRoom("history");
        await using (var a = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, alice))
        {
            await a.JoinAsync(room);
            for (var i = 1; i <= 300; i++)
            {
                await a.SendMessageAsync(room, $"m{i}");
            }
        }

        await WaitForStoredAsync(http, bob, room, 300);
        var (token, _) = await RealtimeTestClient.LoginAsync(http, bob.Username, bob.Password);
        await using var b = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, bob with { AccessToken = token });
        var recentLength = await RecentStreamLengthAsync(room);

        var joined = await b.JoinAsync(room, since: 5);
        var replayed = new List<(long Seq, string Content)>();
        while (replayed.Count < 295)
        {
            var frame = await b.ExpectAsync("message");
            replayed.Add((frame.Seq(), frame.Str("content")));
        }

        Assert.InRange(recentLength, 1, 250);
        Assert.Equal((300L, true), (joined.Seq(), joined.GetProperty("recovered").GetBoolean()));
        Assert.Equal(Enumerable.Range(6, 295).Select(i => ((long)i, $"m{i}")), replayed);
    }

    [Fact]
    public async Task Presence_and_the_connection_count_heal_from_entries_nobody_renews()
    {
        using var http = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(http);
        await using var a = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, alice);
        var room = RealtimeTestKit.NewRoom("heal");
        await a.JoinAsync(room);
        var redis = await ConnectRedisAsync();
        var db = redis.GetDatabase();
        var past = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds();

        // What a replica that died leaves behind: a user present in the room, and five connections of alice.
        await db.HashSetAsync(RedisKeys.Presence(room), "ghost-id", $$"""{"userId":"ghost-id","username":"ghost","expiresAt":{{past}}}""");
        for (var i = 0; i < 5; i++)
        {
            await db.SortedSetAddAsync(RedisKeys.UserConnections(alice.UserId), $"{past - i:D13}|dead-replica.{i}", past);
        }

        var ghostLeft = await a.WaitForAsync("user_left", f => f.Str("userId") == "ghost-id", TimeSpan.FromSeconds(10));
        await a.SendAsync(new { type = "presence", room });
        var presence = await a.WaitForAsync("presence");
        await using var second = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, alice);

        var later = await a.DrainAsync();

        Assert.Equal("ghost", ghostLeft.Str("username"));
        Assert.Equal([alice.UserId], presence.GetProperty("members").EnumerateArray().Select(m => m.Str("userId")));
        Assert.True(later.Count == 0, $"Unexpected frames: {string.Join(", ", later)}");
        Assert.Equal(WebSocketState.Open, a.Socket.State);
        await redis.DisposeAsync();
    }

    [Fact]
    public async Task A_replica_that_shuts_down_closes_its_connections_with_1001_after_in_flight_work()
    {
        using var http = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(http);
        await using var client = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, alice);
        var room = RealtimeTestKit.NewRoom("drain");
        await client.JoinAsync(room);
        var commands = fixture.App.Services.GetRequiredService<ResourceCommandService>();
        var replica = client.ReplicaId!;
        try
        {
            await client.SendAsync(new { type = "message", room, content = "in flight", id = "last" });
            var stop = commands.ExecuteCommandAsync(replica, "resource-stop");
            var ack = await client.WaitForAsync("ack", timeout: Long);

            Assert.Equal("last", ack.Str("id"));
            Assert.Equal(1001, await client.WaitForCloseAsync(Long));
            // Its result is not the point: on a busy machine DCP may give up waiting while the process exits.
            await stop.WaitAsync(Long);
        }
        finally
        {
            await RestartAsync(commands, replica);
        }
    }

    /// <summary>
    /// Starts the replica again once it is gone, for the other tests of this system. The stop command can give up
    /// on a busy machine while the process is still finishing (the resource then reports no terminal state), so
    /// start is retried until it succeeds.
    /// </summary>
    private async Task RestartAsync(ResourceCommandService commands, string replica)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(2);
        var started = await commands.ExecuteCommandAsync(replica, "resource-start").WaitAsync(Long);
        while (!started.Success && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            started = await commands.ExecuteCommandAsync(replica, "resource-start").WaitAsync(Long);
        }

        Assert.True(started.Success, started.Message);
        await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync(replica).WaitAsync(Long);
    }

    private async Task<ConnectionMultiplexer> ConnectRedisAsync()
    {
        var connectionString = await fixture.App.GetConnectionStringAsync("redis").AsTask().WaitAsync(RealtimeTestKit.Timeout);
        return await ConnectionMultiplexer.ConnectAsync(connectionString!).WaitAsync(RealtimeTestKit.Timeout);
    }

    private async Task<long> RecentStreamLengthAsync(string room)
    {
        await using var redis = await ConnectRedisAsync();
        return await redis.GetDatabase().StreamLengthAsync(RedisKeys.Recent(room));
    }

    private static async Task WaitForStoredAsync(HttpClient http, TestUser reader, string room, long seq)
    {
        var deadline = DateTimeOffset.UtcNow + Long;
        while (DateTimeOffset.UtcNow < deadline)
        {
            var (token, _) = await RealtimeTestClient.LoginAsync(http, reader.Username, reader.Password);
            using var request = RealtimeTestKit.Authorized(HttpMethod.Get, $"/api/rooms/{room}/messages?after={seq - 1}&limit=1", reader with { AccessToken = token });
            using var response = await http.SendAsync(request).WaitAsync(RealtimeTestKit.Timeout);
            if (response.IsSuccessStatusCode && (await response.Content.ReadAsStringAsync()).Contains($"\"seq\":{seq}"))
            {
                return;
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"Message {seq} of {room} was not stored in time.");
    }
}
