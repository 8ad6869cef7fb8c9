using System.Text;
using StackExchange.Redis;

namespace RealtimeAspire.ConnectionService.Redis;

/// <summary>The Redis keys and channels of docs/architecture.md, and ConnectionService's own ones.</summary>
public static class RedisKeys
{
    public const int Partitions = 16;

    public static readonly RedisChannel ControlChannel = RedisChannel.Literal("rt:control");

    /// <summary>FNV-1a-32 of the room id's UTF-8 bytes, modulo the partition count.</summary>
    public static int Partition(string room)
    {
        const uint offsetBasis = 2166136261;
        const uint prime = 16777619;
        var hash = offsetBasis;
        foreach (var b in Encoding.UTF8.GetBytes(room))
        {
            hash = (hash ^ b) * prime;
        }

        return (int)(hash % Partitions);
    }

    private static string Tag(string room) => $"{{rt:p{Partition(room)}}}";

    public static RedisKey Seq(string room) => $"{Tag(room)}:seq:{room}";

    public static RedisKey Recent(string room) => $"{Tag(room)}:recent:{room}";

    public static RedisKey Handoff(string room) => $"{Tag(room)}:handoff";

    /// <summary>The seqs of the room's messages handed off and not yet stored by MessageService (sorted set, score = member = seq).</summary>
    public static RedisKey Unstored(string room) => $"{Tag(room)}:unstored:{room}";

    public static RedisKey Dedup(string room, string userId, string clientId) => $"{Tag(room)}:dedup:{userId}:{clientId}";

    public static RedisKey Presence(string room) => $"{Tag(room)}:presence:{room}";

    /// <summary>The connections of one user in one room (ConnectionService's own; '|' cannot occur in a room id).</summary>
    public static RedisKey PresenceConnections(string room, string userId) => $"{Tag(room)}:presence-conns:{room}|{userId}";

    /// <summary>A user's live connections on every replica, scored by lease expiry (ConnectionService's own).</summary>
    public static RedisKey UserConnections(string userId) => $"{{rt:u:{userId}}}:conns";

    /// <summary>A user's messages in the rate-limit window (ConnectionService's own).</summary>
    public static RedisKey UserRate(string userId) => $"{{rt:u:{userId}}}:rate";

    public static RedisChannel RoomChannel(string room) => RedisChannel.Literal($"rt:room:{room}");

    public static RedisChannel UserChannel(string userId) => RedisChannel.Literal($"rt:user:{userId}");
}
