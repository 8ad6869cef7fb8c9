using System.Text;
using System.Text.Json;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Reliability;

/// <summary>
/// What every HTTP answer through the Gateway must be (docs/protocol.md, "HTTP errors"): no 5xx for a client's
/// mistake, every 4xx an <c>application/problem+json</c> with a documented title, and nothing in a body or header
/// that names an exception, a stack frame, an internal host, port, path or header.
/// </summary>
public sealed class HttpAnswers
{
    /// <summary>The titles docs/protocol.md lists for the HTTP API's 4xx problems.</summary>
    public static readonly HashSet<string> DocumentedTitles = new(StringComparer.Ordinal)
    {
        // Any route: ServiceDefaults and the Gateway.
        "invalid_json", "invalid_request", "not_found", "method_not_allowed", "not_acceptable", "unsupported_media_type",
        "request_too_large", "rate_limited", "origin_not_allowed", "Unauthorized",
        // /api/auth
        "Invalid request", "Username taken", "Invalid credentials", "Too many failed logins", "Invalid refresh token",
        // /api/rooms
        "Room exists", "Room not found", "User not found", "Member not found", "Not the room owner", "Room is private",
        // /ws and /hub: the Gateway's admission control
        "websocket_required", "too_many_unauthenticated_connections",
    };

    /// <summary>Header names that are meant to name a replica (docs/protocol.md); their values are not checked.</summary>
    private static readonly HashSet<string> ReplicaHeaders = new(StringComparer.OrdinalIgnoreCase) { "X-Realtime-Replica" };

    private readonly string[] _forbidden;

    private HttpAnswers(string[] forbidden) => _forbidden = forbidden;

    /// <summary>The leak markers for a running system: exception and stack-frame text, loopback hosts, the services' internal addresses.</summary>
    public static HttpAnswers For(DistributedApplication app)
    {
        var internalAddresses = TestSystem.ProjectResources
            .Where(resource => resource != "gateway")
            .Select(resource => app.GetEndpoint(resource, "http").Authority);
        return new HttpAnswers(
        [
            "Exception", " at Microsoft.", " at System.", ".cs:line", "StackTrace", "localhost", "127.0.0.1", "[::1]",
            "X-Original", "X-Forwarded", "traceparent", "://auth-service", "://message-service", "://connection-service",
            "/internal/", .. internalAddresses,
        ]);
    }

    /// <summary>Null if the answer is as it must be, else what is wrong with it; <paramref name="title"/> is the problem's title.</summary>
    public async Task<(string? Wrong, string? Title)> CheckAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var body = Encoding.UTF8.GetString(bytes);
        var headers = response.Headers.Concat(response.Content.Headers)
            .Where(header => !ReplicaHeaders.Contains(header.Key))
            .Select(header => $"{header.Key}: {string.Join(", ", header.Value)}");
        if (_forbidden.FirstOrDefault(marker => body.Contains(marker, StringComparison.OrdinalIgnoreCase)) is { } inBody)
        {
            return ($"leak: the body holds '{inBody}': {Excerpt(body)}", null);
        }

        if (headers.FirstOrDefault(header => _forbidden.Any(marker => header.Contains(marker, StringComparison.OrdinalIgnoreCase))) is { } inHeader)
        {
            return ($"leak: header {inHeader}", null);
        }

        if (status >= 500)
        {
            return ($"server error {status}: {Excerpt(body)}", null);
        }

        if (status < 400)
        {
            return (null, null);
        }

        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return ($"{status} is not a problem: content type '{response.Content.Headers.ContentType}', body {Excerpt(body)}", null);
        }

        string? title;
        try
        {
            using var problem = JsonDocument.Parse(bytes);
            title = problem.RootElement.TryGetProperty("title", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        }
        catch (JsonException)
        {
            return ($"{status} problem is not JSON: {Excerpt(body)}", null);
        }

        return title is not null && DocumentedTitles.Contains(title)
            ? (null, title)
            : ($"{status} problem with an undocumented title '{title}': {Excerpt(body)}", title);
    }

    private static string Excerpt(string body) => body.Length <= 300 ? body : body[..300] + "…";
}
