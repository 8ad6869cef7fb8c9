using RealtimeAspire.Contracts;
using Fields = RealtimeAspire.Contracts.RedisSchema.WebhookEventFields;

namespace RealtimeAspire.ConnectionService.Redis;

/// <summary>
/// Presence transitions for webhooks, recorded in the script that decides them (two replicas cannot both see a first
/// connection), into a webhook hand-off stream that MessageService moves into its outbox.
/// </summary>
public static class WebhookHandoffScripts
{
    /// <summary>The Lua <c>XADD</c> of one transition; each argument is a Lua expression.</summary>
    public static string Append(string stream, string type, string room, string userId, string username, string nowMs) =>
        $"redis.call('XADD', {stream}, '*', '{Fields.Type}', '{type}', '{Fields.Room}', {room}, '{Fields.UserId}', {userId}, " +
        $"'{Fields.Username}', {username}, '{Fields.Timestamp}', {nowMs})";

    /// <summary>
    /// A user's connection counts in for user.online. KEYS: the user's online set, the user's webhook hand-off stream.
    /// ARGV: now ms, member, lease expiry ms, lease ms, userId, username. Records user.online when it is the first live one.
    /// </summary>
    public static readonly string UserConnected = $$"""
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
        local online = redis.call('ZCARD', KEYS[1]) > 0
        redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        if online then return 0 end
        {{Append("KEYS[2]", WebhookEventTypes.UserOnline, "''", "ARGV[5]", "ARGV[6]", "ARGV[1]")}}
        return 1
        """;

    /// <summary>
    /// A user's connection closed. KEYS: as <see cref="UserConnected"/>. ARGV: now ms, member, userId, username. Records
    /// user.offline when no live connection of the user stays.
    /// </summary>
    public static readonly string UserDisconnected = $$"""
        local removed = redis.call('ZREM', KEYS[1], ARGV[2]) + redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
        if removed == 0 or redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
        redis.call('DEL', KEYS[1])
        {{Append("KEYS[2]", WebhookEventTypes.UserOffline, "''", "ARGV[3]", "ARGV[4]", "ARGV[1]")}}
        return 1
        """;
}
