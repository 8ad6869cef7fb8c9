using System.Globalization;

namespace RealtimeAspire.AppHost.Infrastructure;

public static class ContainerRedisClusterBuilderExtensions
{
    private const string Image = "docker.io/library/redis";
    private const string Tag = "7.4";
    private const int Port = 6379;

    /// <summary>
    /// The same cluster as <see cref="LocalRedisClusterBuilderExtensions.AddLocalRedisCluster"/>, as containers: one
    /// container and volume per node, each announcing its resource name, and a one-shot container that creates the
    /// cluster unless its nodes already form one. This is what the manifest describes for <c>Infrastructure:Redis=cluster</c>.
    /// </summary>
    public static IResourceBuilder<ConnectionStringResource> AddContainerRedisCluster(
        this IDistributedApplicationBuilder builder, string name, RedisClusterShape shape)
    {
        var password = builder.AddParameter($"{name}-password", new GenerateParameterDefault { MinLength = 24, Special = false }, secret: true);
        var nodes = Enumerable.Range(0, shape.Nodes).Select(i => $"{name}-node-{i}").ToList();

        var connectionString = new ReferenceExpressionBuilder();
        var nodeBuilders = new List<IResourceBuilder<ContainerResource>>();
        foreach (var node in nodes)
        {
            var container = builder.AddContainer(node, Image, Tag)
                .WithEndpoint(targetPort: Port, name: "tcp", scheme: "tcp")
                .WithVolume($"{node}-data", "/data")
                .WithArgs(
                    "--cluster-enabled", "yes",
                    "--cluster-config-file", "nodes.conf",
                    "--cluster-node-timeout", "3000",
                    // Nodes and clients find each node by its resource name, which stays when its address changes.
                    "--cluster-announce-hostname", node,
                    "--cluster-preferred-endpoint-type", "hostname",
                    "--appendonly", "yes",
                    "--appendfsync", "everysec",
                    "--save", "",
                    "--requirepass", password.Resource,
                    "--masterauth", password.Resource);
            nodeBuilders.Add(container);

            var endpoint = container.GetEndpoint("tcp");
            connectionString.Append($"{endpoint.Property(EndpointProperty.Host)}:{endpoint.Property(EndpointProperty.Port)},");
        }

        connectionString.AppendLiteral("password=");
        connectionString.AppendFormatted(password.Resource);
        var cluster = builder.AddConnectionString(name, connectionString.Build());
        foreach (var node in nodeBuilders)
        {
            node.WithParentRelationship(cluster);
        }

        var addresses = string.Join(" ", nodes.Select(node => $"{node}:{Port}"));
        var replicas = shape.ReplicasPerMaster.ToString(CultureInfo.InvariantCulture);
        var setup = builder.AddContainer($"{name}-setup", Image, Tag)
            .WithEnvironment("REDISCLI_AUTH", password)
            .WithEntrypoint("sh")
            .WithArgs("-c",
                $"until redis-cli -h {nodes[0]} ping | grep -q PONG; do sleep 1; done; "
                + $"redis-cli -h {nodes[0]} cluster info | grep -q 'cluster_known_nodes:1\\b' "
                + $"&& redis-cli --cluster create {addresses} --cluster-replicas {replicas} --cluster-yes; "
                + $"until redis-cli -h {nodes[0]} cluster info | grep -q 'cluster_state:ok'; do sleep 1; done")
            .WithParentRelationship(cluster);
        foreach (var node in nodeBuilders)
        {
            setup.WaitFor(node);
        }

        // Whatever waits for the cluster starts once the setup container has seen it whole.
        return cluster.WaitForCompletion(setup);
    }
}
