using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Model;

namespace RealtimeAspire.Gateway;

public sealed class OriginPolicyOptions
{
    public const string SectionName = "Gateway";

    /// <summary>Origins, besides the Gateway's own, whose pages may open /ws and /hub (e.g. "https://chat.example.com").</summary>
    public List<string> AllowedOrigins { get; set; } = [];
}

/// <summary>
/// Guards the real-time routes (route metadata <c>CheckOrigin</c>) against cross-site WebSocket hijacking: a
/// browser always sends <c>Origin</c> on a WebSocket upgrade, so a page of another site is refused with 403.
/// Requests without <c>Origin</c> come from non-browser clients and pass; they authenticate with their token.
/// </summary>
public sealed partial class OriginPolicy(IOptionsMonitor<OriginPolicyOptions> options, ILogger<OriginPolicy> logger)
{
    public const string MetadataKey = "CheckOrigin";

    public bool IsAllowed(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        if (string.IsNullOrEmpty(origin))
        {
            return true;
        }

        if (IsSameOrigin(origin, request) ||
            options.CurrentValue.AllowedOrigins.Any(allowed => string.Equals(allowed.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        // The path only: the query may hold an access token.
        LogRefused(logger, origin, request.Path);
        return false;
    }

    // The Gateway's own pages: the origin names the host (and port) the request was sent to.
    private static bool IsSameOrigin(string origin, HttpRequest request) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a request from origin {Origin} to {Path}: the origin is not allowed")]
    private static partial void LogRefused(ILogger logger, string origin, PathString path);
}

public static class OriginPolicyExtensions
{
    public static IReverseProxyApplicationBuilder UseOriginPolicy(this IReverseProxyApplicationBuilder proxy)
    {
        var policy = proxy.ApplicationServices.GetRequiredService<OriginPolicy>();
        // Not async: the request of a WebSocket lasts as long as the connection, and an await on next() would keep
        // this middleware's state alive for every open WebSocket.
        proxy.Use((context, next) =>
        {
            return RouteFlags.IsOn(context, OriginPolicy.MetadataKey) && !policy.IsAllowed(context.Request) ? RefuseAsync(context) : next();
        });
        return proxy;
    }

    private static Task RefuseAsync(HttpContext context) => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden,
        title: "origin_not_allowed",
        detail: "Pages of this origin may not connect; see Gateway:AllowedOrigins.").ExecuteAsync(context);
}
