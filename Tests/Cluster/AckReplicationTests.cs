using System.Text.Json;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Cluster;

/// <summary>
/// On a Redis Cluster an ack waits until the replica of the room's master has the message (WAIT 1): a master that
/// dies after the ack cannot take the message with it. A replica that does not confirm in time means no ack yet.
/// </summary>
[Collection(RedisClusterAppCollection.Name)]
public sealed class AckReplicationTests(RedisClusterAppFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_message_its_replica_has_not_confirmed_is_answered_unavailable_and_its_resend_gets_the_same_ack()
    {
        using var gateway = fixture.CreateGatewayClient();
        await using var sender = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, await RealtimeTestClient.CreateUserAsync(gateway, "wait"));
        var room = RealtimeTestKit.NewRoom("ack-wait");
        await sender.JoinAsync(room).WaitAsync(Timeout);
        var first = await sender.SendMessageAsync(room, "while the replica keeps up").WaitAsync(Timeout);

        await using var nodes = await ClusterNodes.ConnectAsync(fixture);
        var (_, _, replica) = await nodes.ShardOfRoomAsync(room);
        JsonElement refused;
        await ClusterNodes.SignalAsync(replica, "STOP");
        try
        {
            await sender.SendAsync(new { type = "message", room, content = "while the replica is stopped", id = "held-back" }).WaitAsync(Timeout);
            refused = await sender.WaitForAsync("error", frame => frame.GetProperty("id").GetString() == "held-back", Timeout).WaitAsync(Timeout);
        }
        finally
        {
            await ClusterNodes.SignalAsync(replica, "CONT");
        }

        var resent = await sender.SendMessageAsync(room, "while the replica is stopped", "held-back").WaitAsync(Timeout);
        var next = await sender.SendMessageAsync(room, "after").WaitAsync(Timeout);

        Assert.Equal("unavailable", refused.GetProperty("code").GetString());
        Assert.True(refused.GetProperty("retryAfterMs").GetInt64() > 0);
        // The refused message was handed off once: the resend is its ack, and nothing took its seq.
        Assert.Equal(first.Seq() + 1, resent.Seq());
        Assert.Equal(first.Seq() + 2, next.Seq());
    }
}
