using RealtimeAspire.Contracts;
using StackExchange.Redis;

namespace RealtimeAspire.ConnectionService.Redis;

/// <summary>
/// One redis-server or a Redis Cluster, and what differs between them: on a cluster a room's events travel by sharded
/// pub/sub in the room's slot (SPUBLISH / SSUBSCRIBE, so only the node that owns the room and the replicas with members
/// there carry them), and a script cannot reach a user's keys and a room's at once.
/// </summary>
public sealed class RedisTopology(IConnectionMultiplexer redis)
{
    private bool? _isCluster;

    public bool IsCluster => _isCluster ??= redis.GetServers().Any(server => server.ServerType == ServerType.Cluster);

    /// <summary>The channel of every live event of a room.</summary>
    public RedisChannel RoomChannel(string room) => Channel(RedisSchema.RoomChannel(room));

    /// <summary>The channel of one user's events and orders.</summary>
    public RedisChannel UserChannel(string userId) => Channel(RedisSchema.UserChannel(userId));

    /// <summary>The command a script publishes a room event with; the room's channel is in the slot of its keys.</summary>
    public string PublishCommand => IsCluster ? "SPUBLISH" : "PUBLISH";

    private RedisChannel Channel(string name) => IsCluster ? RedisChannel.Sharded(name) : RedisChannel.Literal(name);
}
