using Microsoft.Extensions.Configuration;
using RealtimeAspire.AppHost.Infrastructure;

namespace RealtimeAspire.AppHost;

public static class ConnectionServiceReplicas
{
    public const string ClusterId = "connection-service";

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

    /// <summary>Makes the replica a destination of the Gateway's connection-service cluster, found through service discovery.</summary>
    public static IResourceBuilder<ProjectResource> WithConnectionServiceReplica(
        this IResourceBuilder<ProjectResource> gateway, IResourceBuilder<ProjectResource> replica) =>
        gateway
            .WithReference(replica).WaitFor(replica)
            .WithEnvironment($"ReverseProxy__Clusters__{ClusterId}__Destinations__{replica.Resource.Name}__Address",
                $"http://{replica.Resource.Name}");
}
