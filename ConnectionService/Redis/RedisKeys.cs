using RealtimeAspire.Contracts;
using StackExchange.Redis;

namespace RealtimeAspire.ConnectionService.Redis;

/// <summary><see cref="RedisSchema"/>'s keys and channels as StackExchange.Redis types; the names live there only.</summary>
public static class RedisKeys
{
    public static readonly RedisChannel ControlChannel = RedisChannel.Literal(RedisSchema.ControlChannel);

    public static RedisKey Seq(string room) => RedisSchema.Seq(room);

    public static RedisKey Recent(string room) => RedisSchema.Recent(room);

    public static RedisKey Handoff(string room) => RedisSchema.Handoff(RedisSchema.Partition(room));

    public static RedisKey Unstored(string room) => RedisSchema.Unstored(room);

    public static RedisKey Dedup(string room, string userId, string clientId) => RedisSchema.Dedup(room, userId, clientId);

    public static RedisKey Presence(string room) => RedisSchema.Presence(room);

    public static RedisKey PresenceConnections(string room, string userId) => RedisSchema.PresenceConnections(room, userId);

    public static RedisKey UserConnections(string userId) => RedisSchema.UserConnections(userId);

    public static RedisKey UserRate(string userId) => RedisSchema.UserRate(userId);

    public static RedisKey WebhookHandoff(string roomOrUserId) => RedisSchema.WebhookHandoff(RedisSchema.Partition(roomOrUserId));

    public static RedisKey UserOnline(string userId) => RedisSchema.UserOnline(userId);

}
