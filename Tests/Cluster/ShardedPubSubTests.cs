using RealtimeAspire.Contracts;
using RealtimeAspire.Tests.Connection;
using StackExchange.Redis;

namespace RealtimeAspire.Tests.Cluster;

/// <summary>On a Redis Cluster a room's events travel by sharded pub/sub in the room's slot, never by classic pub/sub.</summary>
[Collection(RedisClusterAppCollection.Name)]
public sealed class ShardedPubSubTests(RedisClusterAppFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_room_with_members_on_two_replicas_is_a_shard_channel_of_the_master_that_owns_its_slot_only()
    {
        await using var chat = await RealtimeTestKit.StartTwoReplicaChatAsync(fixture, "sharded");
        var (_, _, a, b, room) = chat;
        await a.JoinAsync(room).WaitAsync(Timeout);
        await b.JoinAsync(room).WaitAsync(Timeout);
        var sent = await a.SendMessageAsync(room, "over the shard", "s-1").WaitAsync(Timeout);
        await b.WaitForAsync("message", m => m.Seq() == sent.Seq()).WaitAsync(Timeout);

        var connectionString = await fixture.App.GetConnectionStringAsync("redis").AsTask().WaitAsync(Timeout);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(connectionString!).WaitAsync(Timeout);
        var channel = RedisSchema.RoomChannel(room);
        var owner = redis.GetServer((RedisKey)channel).EndPoint.ToString()!;

        var masters = redis.GetServers().Where(server => !server.IsReplica).ToList();
        var withShardChannel = new List<string>();
        foreach (var master in masters)
        {
            if (((RedisResult[])(await master.ExecuteAsync("PUBSUB", "SHARDCHANNELS", channel).WaitAsync(Timeout))!).Length > 0)
            {
                withShardChannel.Add(master.EndPoint.ToString()!);
            }

            // Classic pub/sub would be sent to every node of the cluster.
            Assert.Empty((RedisResult[])(await master.ExecuteAsync("PUBSUB", "CHANNELS", channel).WaitAsync(Timeout))!);
        }

        Assert.Equal([owner], withShardChannel);
    }
}
