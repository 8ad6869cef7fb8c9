using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace RealtimeAspire.Gateway;

/// <summary>
/// Names the destination that served a response in a header (cluster metadata <c>ReplicaHeader</c>), so a
/// client, a test or an operator can see which ConnectionService replica the Gateway pinned it to.
/// </summary>
public static class ReplicaHeader
{
    public const string MetadataKey = "ReplicaHeader";

    public static void AddTransform(TransformBuilderContext context)
    {
        if (context.Cluster?.Metadata?.TryGetValue(MetadataKey, out var headerName) is not true || string.IsNullOrEmpty(headerName))
        {
            return;
        }

        context.AddResponseTransform(transform =>
        {
            var destination = transform.HttpContext.Features.Get<IReverseProxyFeature>()?.ProxiedDestination;
            if (destination is not null)
            {
                transform.HttpContext.Response.Headers[headerName] = ConfiguredName(destination.DestinationId);
            }
            return ValueTask.CompletedTask;
        });
    }

    // Service discovery renames a resolved destination "connection-service-1[http://localhost:5001/]"; the
    // configured name is what identifies the replica, the address is an internal detail.
    public static string ConfiguredName(string destinationId)
    {
        var resolvedAddress = destinationId.IndexOf('[');
        return resolvedAddress > 0 ? destinationId[..resolvedAddress] : destinationId;
    }
}
