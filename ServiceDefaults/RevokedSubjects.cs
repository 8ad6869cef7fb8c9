using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RealtimeAspire.Contracts;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The subjects (blocked users, revoked clients) whose tokens the JWT path refuses before they expire: an in-memory copy
/// of <see cref="RedisSchema.RevokedSubjects"/>, so a check costs no Redis round trip.
/// </summary>
public sealed class RevokedSubjects(TimeProvider timeProvider)
{
    private ImmutableDictionary<string, long> _until = ImmutableDictionary<string, long>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>Raised with a subject that has just become refused (a user to disconnect); not again while it stays so.</summary>
    public event Action<string>? Revoked;

    public bool IsRevoked(string? subject) =>
        subject is not null && Volatile.Read(ref _until).TryGetValue(subject, out var until) && IsInForce(until);

    /// <summary>Sets one subject's refusal (null: none), from a change message.</summary>
    public void Set(string subject, long? until)
    {
        var wasRevoked = IsRevoked(subject);
        ImmutableInterlocked.Update(ref _until, entries => until is { } end ? entries.SetItem(subject, end) : entries.Remove(subject));
        if (!wasRevoked && IsRevoked(subject))
        {
            Revoked?.Invoke(subject);
        }
    }

    /// <summary>Replaces every refusal, from a full reload.</summary>
    public void ReplaceAll(IReadOnlyDictionary<string, long> until)
    {
        var newlyRevoked = until.Where(entry => IsInForce(entry.Value) && !IsRevoked(entry.Key)).Select(entry => entry.Key).ToList();
        Volatile.Write(ref _until, until.ToImmutableDictionary(StringComparer.Ordinal));
        foreach (var subject in newlyRevoked)
        {
            Revoked?.Invoke(subject);
        }
    }

    /// <summary><c>0</c> never ends; otherwise the refusal holds until that Unix millisecond.</summary>
    private bool IsInForce(long until) => until == 0 || until > timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
}

/// <summary>
/// Keeps <see cref="RevokedSubjects"/> current: a change on <see cref="RedisSchema.RevokedSubjectsChannel"/> re-reads its
/// subject at once, and the whole hash is reloaded every <see cref="JwtAuthenticationOptions.RevocationReloadInterval"/>
/// for a message missed while Redis was unreachable. A service without Redis keeps the set empty.
/// </summary>
internal sealed partial class RevokedSubjectsListener(
    IServiceProvider services,
    RevokedSubjects revoked,
    IOptions<JwtAuthenticationOptions> options,
    ILogger<RevokedSubjectsListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (services.GetService<IConnectionMultiplexer>() is not { } redis)
        {
            return;
        }

        var subscribed = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!subscribed)
                {
                    var queue = await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(RedisSchema.RevokedSubjectsChannel));
                    queue.OnMessage(message => RereadAsync(redis, message.Message.ToString()));
                    subscribed = true;
                }

                var entries = await redis.GetDatabase().HashGetAllAsync(RedisSchema.RevokedSubjects);
                revoked.ReplaceAll(entries.ToDictionary(entry => entry.Name.ToString(), entry => (long)entry.Value));
            }
            catch (Exception e) when (e is RedisException or TimeoutException or InvalidCastException)
            {
                LogReloadFailed(logger, e);
            }

            await Task.Delay(options.Value.RevocationReloadInterval, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task RereadAsync(IConnectionMultiplexer redis, string subject)
    {
        try
        {
            var until = await redis.GetDatabase().HashGetAsync(RedisSchema.RevokedSubjects, subject);
            revoked.Set(subject, until.IsNull ? null : (long)until);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or InvalidCastException)
        {
            LogReloadFailed(logger, e);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Revoked subjects could not be read from Redis; the last copy stays in use")]
    private static partial void LogReloadFailed(ILogger logger, Exception exception);
}
