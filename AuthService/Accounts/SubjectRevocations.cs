using StackExchange.Redis;

namespace RealtimeAspire.AuthService.Accounts;

/// <summary>
/// Writes <see cref="RedisSchema.RevokedSubjects"/> and announces each change, so every service's JWT path refuses a
/// blocked user's or a revoked client's tokens within moments (ServiceDefaults' RevokedSubjects reads it).
/// </summary>
public sealed class SubjectRevocations(IConnectionMultiplexer redis, TimeProvider timeProvider)
{
    /// <summary>Refuses <paramref name="subject"/>'s tokens until <paramref name="until"/> (null: for good).</summary>
    public async Task RevokeAsync(string subject, DateTimeOffset? until)
    {
        await redis.GetDatabase().HashSetAsync(RedisSchema.RevokedSubjects, subject, until?.ToUnixTimeMilliseconds() ?? 0);
        await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(RedisSchema.RevokedSubjectsChannel), subject);
    }

    public async Task RestoreAsync(string subject)
    {
        await redis.GetDatabase().HashDeleteAsync(RedisSchema.RevokedSubjects, subject);
        await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(RedisSchema.RevokedSubjectsChannel), subject);
    }

    /// <summary>Whether a login or refresh of <paramref name="subject"/> is refused now (read from Redis: these are rare).</summary>
    public async Task<bool> IsRevokedAsync(string subject)
    {
        var until = await redis.GetDatabase().HashGetAsync(RedisSchema.RevokedSubjects, subject);
        return !until.IsNull && ((long)until == 0 || (long)until > timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
    }
}
