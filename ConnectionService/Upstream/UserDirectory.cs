using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Caching.Memory;
using RealtimeAspire.Contracts;

namespace RealtimeAspire.ConnectionService.Upstream;

/// <summary>Finds users by name through AuthService (for mentions), with a short cache of hits and misses.</summary>
public sealed class UserDirectory(IHttpClientFactory httpClients, IMemoryCache cache)
{
    public const string HttpClientName = "auth-service";

    private static readonly TimeSpan CacheTime = TimeSpan.FromMinutes(1);

    public async Task<string?> FindUserIdAsync(string username, CancellationToken cancellationToken)
    {
        var key = $"user|{username}";
        if (cache.TryGetValue(key, out string? userId))
        {
            return userId;
        }

        using var response = await httpClients.CreateClient(HttpClientName).GetAsync(InternalApi.UserByNamePath(username), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            userId = null;
        }
        else
        {
            response.EnsureSuccessStatusCode();
            userId = (await response.Content.ReadFromJsonAsync(InternalApiJsonContext.Default.UserByName, cancellationToken))?.UserId;
        }

        cache.Set(key, userId, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = CacheTime, Size = 1 });
        return userId;
    }
}
