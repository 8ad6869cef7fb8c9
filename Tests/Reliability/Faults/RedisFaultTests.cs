using System.Globalization;
using System.Text.Json;
using RealtimeAspire.Tests.Gateway;
using RealtimeAspire.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace RealtimeAspire.Tests.Reliability;

/// <summary>
/// Redis restarts under steady traffic, and the pub/sub gap it leaves: a message published while a replica's
/// subscription is down must still reach that replica's members, in order.
/// </summary>
[Collection(FaultAppCollection.Name)]
public sealed class RedisFaultTests(RealtimeAppFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Redis_restart_loses_no_acked_message_and_seq_continues()
    {
        await using var traffic = await SteadyTraffic.StartAsync(fixture, "redis-restart");
        using var gateway = fixture.CreateGatewayClient();
        await using var probe = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, await RealtimeTestClient.CreateUserAsync(gateway, "probe"));
        var probeRoom = $"{traffic.Room}-probe";
        await probe.JoinAsync(probeRoom);
        JsonElement refused;
        try
        {
            await Task.Delay(FaultRunSettings.Before);
            await ReplicaLifecycle.StopAsync(fixture.App, "redis");
            traffic.FaultInjected();

            // A message sent while Redis is away is refused with the protocol's "retry" answer, not left hanging.
            var probeId = Guid.NewGuid().ToString();
            await probe.SendAsync(new { type = "message", room = probeRoom, content = "while redis is away", id = probeId });
            refused = await probe.WaitForAsync("error", f => f.TryGetProperty("id", out var id) && id.GetString() == probeId, TimeSpan.FromSeconds(30));
            await Task.Delay(FaultRunSettings.Outage);
        }
        finally
        {
            await ReplicaLifecycle.StartAsync(fixture.App, "redis");
            traffic.Restored();
        }

        await traffic.WaitForRecoveryAsync(RecoveryTimeout);
        await Task.Delay(FaultRunSettings.After);
        var figures = await FaultAccounting.AccountAsync(traffic, fixture, output);

        figures.AssertNothingLost();
        Assert.Equal("unavailable", refused.GetProperty("code").GetString());
        Assert.True(refused.GetProperty("retryAfterMs").GetInt64() > 0);
        var lastSeqBefore = traffic.Sent.Where(m => m.AckedAt < traffic.FaultAt).Max(m => m.Ack!.Seq);
        Assert.All(traffic.Sent.Where(m => m.FirstSentAt > traffic.RestoredAt), m => Assert.True(m.Ack!.Seq > lastSeqBefore));
    }

    [Fact]
    public async Task A_message_whose_publish_a_replica_missed_is_delivered_before_the_next_one()
    {
        using var gateway = fixture.CreateGatewayClient();
        await using var member = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, await RealtimeTestClient.CreateUserAsync(gateway, "gap"));
        await using var sender = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, await RealtimeTestClient.CreateUserAsync(gateway, "gap"));
        var room = $"fault-gap-{Guid.NewGuid():N}";
        await member.JoinAsync(room);
        await sender.JoinAsync(room);
        var first = await sender.SendMessageAsync(room, "first");
        var firstSeq = first.GetProperty("seq").GetInt64();
        await member.WaitForAsync("message", f => f.GetProperty("seq").GetInt64() == firstSeq, Timeout);

        // A message handed over to Redis whose publish never reached the replicas, as when their subscription
        // connection is down: the seq counter and the recent stream have it, the room channel does not.
        var lost = await AppendWithoutPublishAsync(room, "the publish of this one was lost");
        var next = await sender.SendMessageAsync(room, "next");

        var delivered = new List<JsonElement>
        {
            await member.WaitForAsync("message", timeout: Timeout),
            await member.WaitForAsync("message", timeout: Timeout),
        };

        Assert.Equal([lost, next.GetProperty("seq").GetInt64()], delivered.Select(f => f.GetProperty("seq").GetInt64()));
        Assert.Equal("the publish of this one was lost", delivered[0].GetProperty("content").GetString());
    }

    /// <summary>Takes the room's next seq and adds the message to its recent stream, as the hand-off script does, without publishing it.</summary>
    private async Task<long> AppendWithoutPublishAsync(string room, string content)
    {
        var connectionString = await fixture.App.GetConnectionStringAsync("redis").AsTask().WaitAsync(Timeout);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(connectionString!).WaitAsync(Timeout);
        var db = redis.GetDatabase();
        var seq = await db.StringIncrementAsync(ConnectionService.Redis.RedisKeys.Seq(room));
        var frame = JsonSerializer.Serialize(new
        {
            type = "message",
            room,
            messageId = Guid.CreateVersion7().ToString(),
            seq,
            userId = "gap-test",
            username = "gap-test",
            content,
            timestamp = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        });
        await db.StreamAddAsync(ConnectionService.Redis.RedisKeys.Recent(room), RealtimeAspire.Contracts.RedisSchema.FrameField, frame, messageId: $"{seq}-1");
        return seq;
    }
}
