using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using RealtimeAspire.Contracts;

namespace RealtimeAspire.Tests.Infrastructure;

/// <summary>
/// The whole system with server-API clients declared in the AppHost's configuration (protocol.md §6), and private
/// webhook addresses allowed so a receiver in the test process (Kestrel on loopback) can be an endpoint.
/// </summary>
public class ServerApiAppFixture : RealtimeAppFixture
{
    /// <summary>A client granted every scope; a token may ask for fewer.</summary>
    public const string BackendId = "test-backend";
    public const string BackendSecret = "test-backend-secret-0123456789";

    /// <summary>A client granted only <c>rooms:read</c>.</summary>
    public const string ReaderId = "test-reader";
    public const string ReaderSecret = "test-reader-secret-0123456789";

    protected override IEnumerable<string> Settings =>
    [
        $"--ServerApi:Clients:0:Id={BackendId}",
        $"--ServerApi:Clients:0:Secret={BackendSecret}",
        $"--ServerApi:Clients:0:Scopes={string.Join(' ', ServerScopes.All)}",
        $"--ServerApi:Clients:1:Id={ReaderId}",
        $"--ServerApi:Clients:1:Secret={ReaderSecret}",
        $"--ServerApi:Clients:1:Scopes={ServerScopes.RoomsRead}",
        "--ServerApi:Webhooks:AllowPrivateAddresses=true",

        // Webhook retries in seconds instead of a day, so a test sees retries, the failed state and a lease taken over.
        "--ServerApi:Webhooks:FirstRetryDelay=00:00:00.200",
        "--ServerApi:Webhooks:MaxRetryDelay=00:00:02",
        "--ServerApi:Webhooks:RetryWindow=00:00:15",
        "--ServerApi:Webhooks:LeaseTime=00:00:12",
        "--ServerApi:Webhooks:PollInterval=00:00:00.100",
    ];

    /// <summary>A client-credentials token (form-encoded, as RFC 6749 §4.4 says) of the backend client, for <paramref name="scopes"/> or all it has.</summary>
    public Task<ClientToken> BackendTokenAsync(params string[] scopes) => ClientTokenAsync(BackendId, BackendSecret, scopes);

    public async Task<ClientToken> ClientTokenAsync(string clientId, string secret, params string[] scopes)
    {
        using var gateway = CreateGatewayClient();
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret };
        if (scopes.Length > 0)
        {
            form["scope"] = string.Join(' ', scopes);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await gateway.PostAsync("/api/auth/token", new FormUrlEncodedContent(form), timeout.Token);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<ClientToken>(timeout.Token))!;
    }

    /// <summary>A Gateway client that sends <paramref name="token"/> as its bearer.</summary>
    public HttpClient CreateServerClient(ClientToken token)
    {
        var client = CreateGatewayClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        return client;
    }
}

/// <summary>The token endpoint's client-credentials answer (RFC 6749 §5.1 names).</summary>
public sealed record ClientToken(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("scope")] string Scope);

[CollectionDefinition(Name)]
public sealed class ServerApiAppCollection : ICollectionFixture<ServerApiAppFixture>
{
    public const string Name = "realtime-app-server-api";
}
