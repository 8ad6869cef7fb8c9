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

    /// <summary>
    /// Counts the connection in (user.online for the first); returns the ids of the oldest connections beyond the limit,
    /// to be closed.
    /// </summary>
    public async Task<IReadOnlyList<string>> AddConnectionAsync(string userId, string username, string member)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await Database.ScriptEvaluateAsync(WebhookHandoffScripts.UserConnected,
            [RedisKeys.UserOnline(userId), RedisKeys.WebhookHandoff(userId)],
            [now, member, now + options.LeaseMs, options.LeaseMs, userId, username]);
        var evicted = (RedisValue[])(await Database.ScriptEvaluateAsync(RedisScripts.AddConnection,
            [RedisKeys.UserConnections(userId)],
            [now, member, now + options.LeaseMs, options.MaxConnectionsPerUser, options.LeaseMs]))!;
        return [.. evicted.Select(value => ConnectionIdOf(value!))];
    }

    /// <summary>Counts the connection out (user.offline for the last).</summary>
    public Task RemoveConnectionAsync(string userId, string username, string member) =>
        Task.WhenAll(
            Database.SortedSetRemoveAsync(RedisKeys.UserConnections(userId), member),
            Database.ScriptEvaluateAsync(WebhookHandoffScripts.UserDisconnected,
                [RedisKeys.UserOnline(userId), RedisKeys.WebhookHandoff(userId)],
                [time.GetUtcNow().ToUnixTimeMilliseconds(), member, userId, username]));

    /// <summary>Renews a connection's lease; one that was evicted meanwhile is not brought back.</summary>
    public Task RefreshConnectionAsync(IBatch batch, string userId, string member)
    {
        var key = RedisKeys.UserConnections(userId);
        var expiresAt = time.GetUtcNow().ToUnixTimeMilliseconds() + options.LeaseMs;
        var online = RedisKeys.UserOnline(userId);
        return Task.WhenAll(
            batch.SortedSetAddAsync(key, member, expiresAt, SortedSetWhen.Exists),
            batch.KeyExpireAsync(key, TimeSpan.FromMilliseconds(options.LeaseMs)),
            batch.SortedSetAddAsync(online, member, expiresAt, SortedSetWhen.Exists),
            batch.KeyExpireAsync(online, TimeSpan.FromMilliseconds(options.LeaseMs)));
    }

    /// <summary>How one message of the user is counted in the rate window, by <see cref="RedisScripts.AppendMessage"/> or <see cref="TryConsumeMessageAsync"/>.</summary>
    public RateCharge MessageCharge(string userId, string connectionId)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        return new RateCharge(RedisKeys.UserRate(userId), now, options.RateLimitWindowMs, options.RateLimitMessages,
            $"{now}|{connectionId}|{Interlocked.Increment(ref _rateCounter)}");
    }

    /// <summary>
    /// How a server-API client's message goes through the same script: never limited, as a backend's publishes are the
    /// application's own (docs/protocol.md, "Server API"), and in a 1 ms window, so its rate key keeps nothing.
    /// </summary>
    public RateCharge ServerCharge(string clientSubject)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        return new RateCharge(RedisKeys.UserRate(clientSubject), now, 1, int.MaxValue,
            $"{now}|server|{Interlocked.Increment(ref _rateCounter)}");
    }

    /// <summary>How many live connections the user has on every replica: those whose lease has not run out.</summary>
    public Task<long> CountConnectionsAsync(string userId) =>
        Database.SortedSetLengthAsync(RedisKeys.UserConnections(userId), time.GetUtcNow().ToUnixTimeMilliseconds(), double.PositiveInfinity, Exclude.Start);

    /// <summary>Counts one message on its own (a Redis Cluster); returns 0 when it may go, else how many milliseconds to wait.</summary>
    public async Task<long> TryConsumeMessageAsync(RateCharge charge) =>
        (long)await Database.ScriptEvaluateAsync(RedisScripts.ConsumeRate,
            [charge.Key], [charge.Now, charge.WindowMs, charge.Limit, charge.Member]);
}

/// <summary>One message counted at <paramref name="Now"/> (Unix ms) in the user's window <paramref name="Key"/>, as the unique <paramref name="Member"/>.</summary>
public sealed record RateCharge(RedisKey Key, long Now, int WindowMs, int Limit, string Member);
