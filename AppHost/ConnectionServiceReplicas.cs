using Microsoft.Extensions.Configuration;
using RealtimeAspire.AppHost.Infrastructure;

namespace RealtimeAspire.AppHost;

public static class ConnectionServiceReplicas
{
    public const string ClusterId = "connection-service";

    /// <summary>The replica's endpoint for the Gateway: HTTP/2 without TLS (see ConnectionService/GatewayLink.cs).</summary>
    public const string GatewayLinkEndpoint = "h2c";

    /// <summary>
    /// Adds ConnectionService replicas as separate resources (connection-service-1, -2, …) instead of
    /// WithReplicas: Aspire would put one proxy in front of all replicas, and the Gateway could then neither
    /// tell them apart nor pin a client to one. Each replica listens on its own port, without a proxy.
    /// </summary>
    public static IReadOnlyList<IResourceBuilder<ProjectResource>> AddConnectionServiceReplicas(
        this IDistributedApplicationBuilder builder, Action<IResourceBuilder<ProjectResource>> configure)
    {
        var count = builder.Configuration.GetValue("ConnectionService:Replicas", 2);
        if (count < 1)
        {
            throw new InfrastructureUnavailableException($"ConnectionService:Replicas must be at least 1, not {count}.");
        }

        return Enumerable.Range(1, count).Select(index =>
        {
            var name = $"{ClusterId}-{index}";
            var replica = builder.AddProject<Projects.ConnectionService>(name)
                .WithDirectEndpoint(port: 0)
                .WithGatewayLinkEndpoint()
                .WithHttpHealthCheck("/health")
                .WithEnvironment("Realtime__ReplicaId", name);
            // The protocol's limits (Realtime:HeartbeatIntervalMs, …) given to the AppHost reach every replica.
            foreach (var setting in builder.Configuration.GetSection("Realtime").GetChildren().Where(s => s.Key != "ReplicaId"))
            {
                replica.WithEnvironment($"Realtime__{setting.Key}", setting.Value);
            }

            configure(replica);
            return replica;
        }).ToList();
    }

    /// <summary>
    /// A second endpoint, for the Gateway only, that speaks HTTP/2 with prior knowledge: the Gateway multiplexes its
    /// proxied WebSockets over a few TCP connections to it instead of opening one per client (one socket per client
    /// in the Gateway instead of two). Clients and the health check keep the http endpoint.
    /// </summary>
    private static IResourceBuilder<ProjectResource> WithGatewayLinkEndpoint(this IResourceBuilder<ProjectResource> replica)
    {
        replica.WithHttpEndpoint(name: GatewayLinkEndpoint, port: replica.ApplicationBuilder.ExecutionContext.IsRunMode ? FreePort.Next() : null, isProxied: false);
        return replica.WithEnvironment("ConnectionService__GatewayLinkPort",
            $"{replica.GetEndpoint(GatewayLinkEndpoint).Property(EndpointProperty.TargetPort)}");
    }

    /// <summary>Makes the replica a destination of the Gateway's connection-service cluster, found through service discovery.</summary>
    public static IResourceBuilder<ProjectResource> WithConnectionServiceReplica(
        this IResourceBuilder<ProjectResource> gateway, IResourceBuilder<ProjectResource> replica) =>
        gateway
            .WithReference(replica).WaitFor(replica)
            .WithEnvironment($"ReverseProxy__Clusters__{ClusterId}__Destinations__{replica.Resource.Name}__Address",
                $"http://_{GatewayLinkEndpoint}.{replica.Resource.Name}");
}
