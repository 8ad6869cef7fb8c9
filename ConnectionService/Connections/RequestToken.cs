using Microsoft.Extensions.Primitives;

namespace RealtimeAspire.ConnectionService.Connections;

/// <summary>The access token a connect request carries: the Authorization header's bearer token, else <c>access_token</c>.</summary>
public static class RequestToken
{
    public static string? Read(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        return request.Query.TryGetValue("access_token", out var token) && !StringValues.IsNullOrEmpty(token) ? token.ToString() : null;
    }
}
