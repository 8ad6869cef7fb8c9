using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace RealtimeAspire.AuthService.Accounts;

/// <summary>
/// Limits login attempts per account and per client address, in Redis so that the limits hold across replicas.
/// An attempt is counted before the password is checked (so parallel guesses cannot slip past the limit) and
/// handed back when it succeeds; what remains counted are failures, in a fixed window from the first one.
/// </summary>
public sealed class LoginThrottle(IConnectionMultiplexer redis, IOptions<AuthOptions> options)
{
    // Returns 0 when the attempt was counted, else the milliseconds until the window ends.
    private static readonly LuaScript CountAttempt = LuaScript.Prepare("""
        local count = tonumber(redis.call('GET', @key) or '0')
        if count >= tonumber(@limit) then
            local ttl = redis.call('PTTL', @key)
            if ttl < 1 then
                redis.call('PEXPIRE', @key, @window)
                ttl = tonumber(@window)
            end
            return ttl
        end
        if redis.call('INCR', @key) == 1 then
            redis.call('PEXPIRE', @key, @window)
        end
        return 0
        """);

    // Never creates the key: a key that expired meanwhile stays gone.
    private static readonly LuaScript HandBack = LuaScript.Prepare("""
        if redis.call('EXISTS', @key) == 1 and tonumber(redis.call('GET', @key)) > 0 then
            return redis.call('DECR', @key)
        end
        return 0
        """);

    public static RedisKey AccountKey(string username) => RedisSchema.LoginFailuresOfAccount(username);

    public static RedisKey AddressKey(string address) => RedisSchema.LoginFailuresOfAddress(address);

    /// <summary>
    /// Counts an attempt for the account (null: a name no account can have) and the address, or says how long
    /// to wait when either is at its limit.
    /// </summary>
    public async Task<LoginAttempt> BeginAsync(string? username, string address)
    {
        var settings = options.Value.Login;
        var database = redis.GetDatabase();
        RedisKey? accountKey = username is null ? (RedisKey?)null : AccountKey(username);

        if (accountKey is { } countedAccount)
        {
            var wait = await CountAsync(database, countedAccount, settings.MaxFailuresPerAccount, settings.Window);
            if (wait > TimeSpan.Zero)
            {
                return LoginAttempt.Throttled(wait);
            }
        }

        var addressKey = AddressKey(address);
        var addressWait = await CountAsync(database, addressKey, settings.MaxFailuresPerAddress, settings.Window);
        if (addressWait > TimeSpan.Zero)
        {
            if (accountKey is { } account)
            {
                await HandBackAsync(database, account);
            }

            return LoginAttempt.Throttled(addressWait);
        }

        return new LoginAttempt(accountKey, addressKey, TimeSpan.Zero);
    }

    /// <summary>A successful login clears the account's failures and does not count against the address.</summary>
    public async Task SucceededAsync(LoginAttempt attempt)
    {
        var database = redis.GetDatabase();
        if (attempt.AccountKey is { } account)
        {
            await database.KeyDeleteAsync(account);
        }

        if (attempt.AddressKey is { } address)
        {
            await HandBackAsync(database, address);
        }
    }

    private static async Task<TimeSpan> CountAsync(IDatabase database, RedisKey key, int limit, TimeSpan window)
    {
        var result = await database.ScriptEvaluateAsync(CountAttempt,
            new { key, limit, window = (long)window.TotalMilliseconds });
        return TimeSpan.FromMilliseconds((long)result);
    }

    private static Task HandBackAsync(IDatabase database, RedisKey key) =>
        database.ScriptEvaluateAsync(HandBack, new { key });
}

public sealed record LoginAttempt(RedisKey? AccountKey, RedisKey? AddressKey, TimeSpan RetryAfter)
{
    public bool IsThrottled => RetryAfter > TimeSpan.Zero;

    public static LoginAttempt Throttled(TimeSpan retryAfter) => new(null, null, retryAfter);
}
