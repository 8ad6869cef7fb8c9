using System.Globalization;
using StackExchange.Redis;

namespace RealtimeAspire.ConnectionService.Redis;

/// <summary>The per-user limits that hold across replicas: live connections, and messages per window.</summary>
public sealed class UserLimits(IConnectionMultiplexer redis, RealtimeOptions options, TimeProvider time)
{
    private long _rateCounter;

    private IDatabase Database => redis.GetDatabase();

    /// <summary>The member of a connection in the user's connection set: sorting members sorts by age.</summary>
    public static string ConnectionMember(string connectionId, DateTimeOffset connectedAt) =>
        $"{connectedAt.ToUnixTimeMilliseconds().ToString("D13", CultureInfo.InvariantCulture)}|{connectionId}";

    public static string ConnectionIdOf(string member) => member[(member.IndexOf('|') + 1)..];

    /// <summary>Counts the connection in; returns the ids of the oldest connections beyond the limit, to be closed.</summary>
    public async Task<IReadOnlyList<string>> AddConnectionAsync(string userId, string member)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var evicted = (RedisValue[])(await Database.ScriptEvaluateAsync(RedisScripts.AddConnection,
            [RedisKeys.UserConnections(userId)],
            [now, member, now + options.LeaseMs, options.MaxConnectionsPerUser, options.LeaseMs]))!;
        return [.. evicted.Select(value => ConnectionIdOf(value!))];
    }

    public Task RemoveConnectionAsync(string userId, string member) =>
        Database.SortedSetRemoveAsync(RedisKeys.UserConnections(userId), member);

    /// <summary>Renews a connection's lease; one that was evicted meanwhile is not brought back.</summary>
    public Task RefreshConnectionAsync(IBatch batch, string userId, string member)
    {
        var key = RedisKeys.UserConnections(userId);
        var expiresAt = time.GetUtcNow().ToUnixTimeMilliseconds() + options.LeaseMs;
        return Task.WhenAll(
            batch.SortedSetAddAsync(key, member, expiresAt, SortedSetWhen.Exists),
            batch.KeyExpireAsync(key, TimeSpan.FromMilliseconds(options.LeaseMs)));
    }

    /// <summary>Counts one message; returns 0 when it may go, else how many milliseconds to wait.</summary>
    public async Task<long> TryConsumeMessageAsync(string userId, string connectionId)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var member = $"{now}|{connectionId}|{Interlocked.Increment(ref _rateCounter)}";
        return (long)await Database.ScriptEvaluateAsync(RedisScripts.ConsumeRate,
            [RedisKeys.UserRate(userId)], [now, options.RateLimitWindowMs, options.RateLimitMessages, member]);
    }
}
