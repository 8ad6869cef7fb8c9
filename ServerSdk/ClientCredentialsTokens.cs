using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace RealtimeAspire.Server;

/// <summary>
/// The app's one client-credentials token (RFC 6749 §4.4): fetched on first use, kept until shortly before it
/// expires, shared by every call, fetched by one caller at a time.
/// </summary>
internal sealed class ClientCredentialsTokens(IHttpClientFactory httpClients, IOptions<RealtimeServerOptions> options, TimeProvider time)
{
    internal const string HttpClientName = "RealtimeAspire.Server.Token";
    internal const string TokenPath = "/api/auth/token";

    private readonly SemaphoreSlim _fetching = new(1, 1);
    private CachedToken? _token;

    /// <summary>A fresh token; <paramref name="stale"/> is one the API refused, so it is not handed out again.</summary>
    public async Task<string> GetAsync(string? stale, CancellationToken cancellationToken)
    {
        if (Usable(_token, stale) is { } current)
        {
            return current;
        }

        await _fetching.WaitAsync(cancellationToken);
        try
        {
            // Another caller may have fetched one while this one waited.
            if (Usable(_token, stale) is { } fetched)
            {
                return fetched;
            }

            _token = await FetchAsync(cancellationToken);
            return _token.AccessToken;
        }
        finally
        {
            _fetching.Release();
        }
    }

    private string? Usable(CachedToken? token, string? stale) =>
        token is not null && token.AccessToken != stale && time.GetUtcNow() < token.RefreshAt ? token.AccessToken : null;

    private async Task<CachedToken> FetchAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = settings.ClientId,
            ["client_secret"] = settings.ClientSecret,
        };
        if (settings.Scopes.Count > 0)
        {
            form["scope"] = string.Join(' ', settings.Scopes);
        }

        using var http = httpClients.CreateClient(HttpClientName);
        using var response = await http.PostAsync(new Uri(settings.BaseAddress, TokenPath), new FormUrlEncodedContent(form), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            // The token endpoint's problem says why (unknown client, wrong secret, a scope not granted), never the secret.
            throw await RealtimeServerClient.FailureAsync(response, cancellationToken);
        }

        var answer = await response.Content.ReadFromJsonAsync<TokenAnswer>(cancellationToken)
            ?? throw new RealtimeServerException(response.StatusCode, "Empty token answer", null);
        return new CachedToken(answer.AccessToken, time.GetUtcNow() + TimeSpan.FromSeconds(answer.ExpiresIn) - settings.TokenRefreshMargin);
    }

    private sealed record CachedToken(string AccessToken, DateTimeOffset RefreshAt);

    private sealed record TokenAnswer(
        [property: JsonPropertyName("access_token")] string AccessToken,
        [property: JsonPropertyName("expires_in")] int ExpiresIn);
}
