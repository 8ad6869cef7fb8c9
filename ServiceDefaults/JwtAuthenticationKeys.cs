using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// AuthService's public signing keys, fetched from its JWKS and cached. The cache is refreshed when it is
/// old or when a token names a key it does not hold (a rotation), but never more often than
/// <see cref="JwtAuthenticationOptions.JwksMinimumRefreshInterval"/>, and by one caller at a time.
/// </summary>
public sealed partial class JwksSigningKeys(
    IHttpClientFactory httpClientFactory,
    IOptions<JwtAuthenticationOptions> options,
    TimeProvider timeProvider,
    ILogger<JwksSigningKeys> logger)
{
    public const string HttpClientName = "jwks";

    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private volatile KeySet _keys = KeySet.Empty;
    private long _lastAttemptTicks = DateTimeOffset.MinValue.UtcTicks;

    /// <summary>The keys held now; what the token validation resolves signing keys from.</summary>
    public IReadOnlyList<SecurityKey> Current => _keys.Keys;

    /// <summary>Refreshes the keys first if they are old or lack the key of <paramref name="token"/>, as far as the rate limit allows.</summary>
    public async ValueTask EnsureKeysForAsync(string? token, CancellationToken cancellationToken)
    {
        var keyId = ReadKeyId(token);
        if (!NeedsRefresh(keyId))
        {
            return;
        }

        // Waits for a fetch already under way: a token that arrives during the first fetch must be checked
        // against its result, not against no keys at all. Callers the rate limit turns away only pass the lock.
        await _refreshLock.WaitAsync(cancellationToken);
        try
        {
            // Another caller may have refreshed while this one waited.
            if (NeedsRefresh(keyId) && RefreshAllowed())
            {
                await RefreshAsync();
            }
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    private bool NeedsRefresh(string? keyId)
    {
        var keys = _keys;
        return timeProvider.GetUtcNow() - keys.FetchedAt >= options.Value.JwksCacheDuration
            || (keyId is not null && !keys.Contains(keyId));
    }

    private bool RefreshAllowed() =>
        timeProvider.GetUtcNow().UtcTicks - Volatile.Read(ref _lastAttemptTicks) >= options.Value.JwksMinimumRefreshInterval.Ticks;

    private async Task RefreshAsync()
    {
        Volatile.Write(ref _lastAttemptTicks, timeProvider.GetUtcNow().UtcTicks);
        var settings = options.Value;

        // One request's cancellation must not cancel a fetch that others wait for; the fetch has its own timeout.
        using var timeout = new CancellationTokenSource(settings.JwksFetchTimeout);
        try
        {
            using var client = httpClientFactory.CreateClient(HttpClientName);
            var json = await client.GetStringAsync(settings.JwksUri, timeout.Token);
            var keys = new JsonWebKeySet(json).GetSigningKeys();
            _keys = new KeySet(keys.ToArray(), timeProvider.GetUtcNow());
            LogKeysFetched(logger, keys.Count, settings.JwksUri);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or ArgumentException or InvalidOperationException)
        {
            // Keep validating with the keys held; the next token after the refresh interval tries again.
            LogKeysFetchFailed(logger, e, settings.JwksUri);
        }
    }

    private static string? ReadKeyId(string? token)
    {
        var handler = new JsonWebTokenHandler();
        if (string.IsNullOrEmpty(token) || !handler.CanReadToken(token))
        {
            return null;
        }

        try
        {
            return handler.ReadJsonWebToken(token).Kid;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private sealed record KeySet(IReadOnlyList<SecurityKey> Keys, DateTimeOffset FetchedAt)
    {
        public static readonly KeySet Empty = new([], DateTimeOffset.MinValue);

        public bool Contains(string keyId) => Keys.Any(key => key.KeyId == keyId);
    }

    [LoggerMessage(LogLevel.Information, "Fetched {Count} signing keys from {JwksUri}")]
    private static partial void LogKeysFetched(ILogger logger, int count, Uri jwksUri);

    [LoggerMessage(LogLevel.Warning, "Could not fetch the signing keys from {JwksUri}")]
    private static partial void LogKeysFetchFailed(ILogger logger, Exception exception, Uri jwksUri);
}
