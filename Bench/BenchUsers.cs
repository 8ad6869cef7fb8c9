using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace RealtimeAspire.Bench;

/// <summary>Registers bench users through the Gateway's auth API and hands out token providers for them.</summary>
internal sealed class BenchUsers(HttpClient http, string password = "bench-password-1")
{
    private readonly Dictionary<int, (string Token, DateTime At)> _tokens = [];

    public async Task PrepareAsync(int count, CancellationToken cancellationToken)
    {
        var next = -1;
        async Task Worker()
        {
            int k;
            while ((k = Interlocked.Increment(ref next)) < count)
            {
                // 201, or 409 when a previous run registered it.
                using var _ = await http.PostAsJsonAsync("/api/auth/register", new JsonObject { ["username"] = Name(k), ["password"] = password }, cancellationToken);
                var token = await FetchTokenAsync(k, cancellationToken);
                lock (_tokens)
                {
                    _tokens[k] = (token, DateTime.UtcNow);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Worker()));
    }

    /// <summary>Every connection of a user shares its token (logging in per connection would trip the login throttle); it is renewed after 10 minutes.</summary>
    public Func<CancellationToken, ValueTask<string>> TokenProvider(int user) => async cancellationToken =>
    {
        lock (_tokens)
        {
            if (_tokens.TryGetValue(user, out var cached) && DateTime.UtcNow - cached.At < TimeSpan.FromMinutes(10))
            {
                return cached.Token;
            }
        }

        var token = await FetchTokenAsync(user, cancellationToken);
        lock (_tokens)
        {
            _tokens[user] = (token, DateTime.UtcNow);
        }

        return token;
    };

    private static string Name(int k) => $"bench_{k}";

    private async Task<string> FetchTokenAsync(int k, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("/api/auth/token", new JsonObject { ["username"] = Name(k), ["password"] = password }, cancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
        return body?["accessToken"]?.GetValue<string>() ?? throw new InvalidOperationException("No accessToken in the token answer.");
    }
}
