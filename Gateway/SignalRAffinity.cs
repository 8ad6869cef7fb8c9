using System.Text.Json.Nodes;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace RealtimeAspire.Gateway;

/// <summary>
/// Keeps every request of a SignalR connection on the replica that issued it without cookies (route metadata
/// <c>SignalRAffinity</c>): the negotiate answer's connection token is rewritten to <c>&lt;replica&gt;.&lt;token&gt;</c>,
/// and a later request whose <c>id</c> carries such a token goes to that replica with the replica's own token. The
/// Gateway keeps no state, so this survives its restart; a client can only name a destination of the route's cluster.
/// </summary>
public static class SignalRAffinity
{
    public const string MetadataKey = "SignalRAffinity";

    private static readonly object ResolvedKey = new();

    /// <summary>Whether this request's <c>id</c> names a replica of the route's cluster (so that replica issued it).</summary>
    public static bool IsResolved(HttpContext context) => context.Items.ContainsKey(ResolvedKey);

    // SignalR's tokens are base64url, which has no dot; replica names may, so the last dot separates them.
    private const char Separator = '.';

    public static void AddTransform(TransformBuilderContext context)
    {
        if (!RouteFlags.IsOn(context.Route.Metadata, MetadataKey))
        {
            return;
        }

        context.AddResponseTransform(async transform =>
        {
            var destination = transform.HttpContext.Features.Get<IReverseProxyFeature>()?.ProxiedDestination;
            if (destination is null
                || transform.ProxyResponse is not { StatusCode: System.Net.HttpStatusCode.OK } response
                || !transform.HttpContext.Request.Path.Value!.EndsWith("/negotiate", StringComparison.Ordinal))
            {
                return;
            }

            var negotiation = JsonNode.Parse(await response.Content.ReadAsStreamAsync(transform.CancellationToken)) as JsonObject;
            // Negotiate version 1 clients send connectionToken as id; version 0 clients send connectionId.
            var idField = negotiation?.ContainsKey("connectionToken") is true ? "connectionToken" : "connectionId";
            if (negotiation?[idField]?.GetValue<string>() is not { } token)
            {
                return;
            }

            negotiation[idField] = ReplicaHeader.ConfiguredName(destination.DestinationId) + Separator + token;
            var body = System.Text.Encoding.UTF8.GetBytes(negotiation.ToJsonString());
            transform.SuppressResponseBody = true;
            transform.HttpContext.Response.ContentLength = body.Length;
            await transform.HttpContext.Response.Body.WriteAsync(body, transform.CancellationToken);
        });
    }

    public static IReverseProxyApplicationBuilder UseSignalRAffinity(this IReverseProxyApplicationBuilder proxy)
    {
        // Not async: a WebSocket's request lasts as long as the connection (see OriginPolicy).
        proxy.Use((context, next) =>
        {
            var feature = context.Features.Get<IReverseProxyFeature>();
            if (feature is null || !RouteFlags.IsOn(feature.Route.Config.Metadata, MetadataKey) || !context.Request.Query.TryGetValue("id", out var ids))
            {
                return next();
            }

            if (ids.Count != 1 || Split(ids[0]) is not { } parts || Destinations(feature, parts.Replica) is not { } destinations)
            {
                return next();
            }

            context.Items[ResolvedKey] = true;
            // Every destination, healthy or not: the connection lives there, and a draining replica still
            // delivers its last messages and close.
            feature.AvailableDestinations = destinations;
            context.Request.QueryString = QueryString.Create(context.Request.Query.Select(parameter =>
                parameter.Key == "id" ? new KeyValuePair<string, StringValues>("id", parts.Token) : parameter));
            return next();
        });
        return proxy;
    }

    private static (string Replica, string Token)? Split(string? id)
    {
        var separator = id?.LastIndexOf(Separator) ?? -1;
        return separator > 0 && separator < id!.Length - 1 ? (id[..separator], id[(separator + 1)..]) : null;
    }

    // Service discovery may resolve one configured destination to several addresses.
    private static IReadOnlyList<DestinationState>? Destinations(IReverseProxyFeature feature, string replica)
    {
        var matching = feature.AllDestinations
            .Where(destination => ReplicaHeader.ConfiguredName(destination.DestinationId) == replica)
            .ToList();
        return matching.Count > 0 ? matching : null;
    }
}
