using Yarp.ReverseProxy.Model;

namespace RealtimeAspire.Gateway;

/// <summary>A route's on/off switches in its metadata (<c>"CheckOrigin": "true"</c>), which turn the Gateway's middlewares on per route.</summary>
public static class RouteFlags
{
    public static bool IsOn(IReadOnlyDictionary<string, string>? metadata, string key) =>
        metadata?.TryGetValue(key, out var value) is true && bool.TryParse(value, out var on) && on;

    /// <summary>Whether the route this request was matched to has the switch on.</summary>
    public static bool IsOn(HttpContext context, string key) =>
        IsOn(context.Features.Get<IReverseProxyFeature>()?.Route.Config.Metadata, key);
}
