using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace RealtimeAspire.AppHost.Infrastructure;

/// <summary>The shape of a Redis Cluster: how many masters, and how many replicas each.</summary>
public sealed record RedisClusterShape(int Masters, int ReplicasPerMaster)
{
    public int Nodes => Masters * (1 + ReplicasPerMaster);
}

/// <summary>One node's client port and cluster-bus port, kept in the data folder.</summary>
public sealed record RedisClusterNodePorts(int Port, int BusPort);

[UnsupportedOSPlatform("windows")]
public static class LocalRedisClusterBuilderExtensions
{
    /// <summary>
    /// Adds a Redis Cluster of redis-server processes (append-only files on) under <paramref name="dataDirectory"/>, and
    /// one logical resource <paramref name="name"/> whose connection string lists every node. The cluster is created on
    /// first start (redis-cli --cluster create) and the logical resource is healthy only once every slot is served, so
    /// whatever waits for it starts on a whole cluster.
    /// </summary>
    public static IResourceBuilder<ConnectionStringResource> AddLocalRedisCluster(
        this IDistributedApplicationBuilder builder, string name, LocalBinaries binaries, string dataDirectory,
        RedisClusterShape shape)
    {
        Directory.CreateDirectory(dataDirectory);
        var redisCli = LocalBinaries.FindProgram("redis-cli") ?? throw new InfrastructureUnavailableException(
            "Infrastructure:Redis=cluster needs redis-cli to create the cluster; install it with `sudo apt-get install -y redis-tools`.");

        // A node finds its peers at the addresses in its nodes.conf, so every run must give each node the same ports.
        var ports = ReadOrCreatePorts(Path.Combine(dataDirectory, "ports"), shape.Nodes);
        var password = LocalSecrets.NewPassword();
        var passwordParameter = builder.AddParameter($"{name}-password", password, secret: true);

        var connectionString = new ReferenceExpressionBuilder();
        connectionString.AppendLiteral(string.Join(",", ports.Select(node => $"127.0.0.1:{node.Port}")) + ",password=");
        connectionString.AppendFormatted(passwordParameter.Resource);

        var healthCheckKey = $"{name}_check";
        var cluster = builder.AddConnectionString(name, connectionString.Build())
            .WithHealthCheck(healthCheckKey);
        var clusterCli = new RedisClusterCli(redisCli, password, ports);
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckKey, services => new RedisClusterHealthCheck(clusterCli, services.GetRequiredKeyedService<RedisClusterProbe>(name), shape),
            failureStatus: null, tags: null));
        // One connection for every health poll, made by the container so that it is closed with the AppHost.
        builder.Services.AddKeyedSingleton(name, (_, _) => new RedisClusterProbe(ports, password));

        for (var i = 0; i < ports.Count; i++)
        {
            var nodeDirectory = Path.Combine(dataDirectory, $"node-{i}");
            Directory.CreateDirectory(nodeDirectory);
            var (port, busPort) = (ports[i].Port.ToString(CultureInfo.InvariantCulture), ports[i].BusPort.ToString(CultureInfo.InvariantCulture));
            builder.AddResource(new ExecutableResource($"{name}-node-{i}", binaries.RedisServer, nodeDirectory))
                .WithEndpoint(port: ports[i].Port, targetPort: ports[i].Port, scheme: "tcp", name: "tcp", isProxied: false)
                .WithArgs(
                    "--port", port,
                    "--cluster-port", busPort,
                    "--bind", "127.0.0.1",
                    "--dir", nodeDirectory,
                    "--cluster-enabled", "yes",
                    "--cluster-config-file", "nodes.conf",
                    // A dead master's replica takes over after this many ms without an answer.
                    "--cluster-node-timeout", "3000",
                    "--appendonly", "yes",
                    "--appendfsync", "everysec",
                    "--save", "",
                    "--requirepass", passwordParameter.Resource,
                    "--masterauth", passwordParameter.Resource)
                .WithParentRelationship(cluster);
        }

        // Not awaited by the start: it runs beside it, and the logical resource's health check reports its outcome.
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, cancellationToken) =>
        {
            var logger = @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(cluster.Resource);
            var stopping = @event.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().ApplicationStopping;
            _ = clusterCli.CreateUnlessFormedAsync(shape, logger, stopping);
            return Task.CompletedTask;
        });

        return cluster;
    }

    /// <summary>Free ports, none twice: a port picked and not yet bound is still free for the next pick.</summary>
    private static List<int> DistinctFreePorts(int count)
    {
        var ports = new HashSet<int>();
        while (ports.Count < count)
        {
            ports.Add(FreePort.Next());
        }

        return [.. ports];
    }

    private static List<RedisClusterNodePorts> ReadOrCreatePorts(string path, int nodes)
    {
        var text = LocalSecrets.ReadOrCreate(path, () => string.Join("\n", DistinctFreePorts(2 * nodes).Chunk(2)
            .Select(pair => $"{pair[0]} {pair[1]}")));
        var ports = text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .Select(pair => new RedisClusterNodePorts(int.Parse(pair[0], CultureInfo.InvariantCulture), int.Parse(pair[1], CultureInfo.InvariantCulture)))
            .ToList();
        return ports.Count == nodes
            ? ports
            : throw new InfrastructureUnavailableException(
                $"The Redis Cluster in {Path.GetDirectoryName(path)} has {ports.Count} nodes, the configuration asks for {nodes}; "
                + "delete that folder to create a new cluster (its data is lost), or configure the shape it was created with.");
    }
}

/// <summary>Runs redis-cli against the local cluster (the password goes by environment, not on the command line).</summary>
[UnsupportedOSPlatform("windows")]
public sealed class RedisClusterCli(string redisCli, string password, IReadOnlyList<RedisClusterNodePorts> nodes)
{
    /// <summary>Why the cluster could not be created, for the health check to say; null while nothing failed.</summary>
    public string? Failure { get; private set; }

    public async Task<RedisClusterState?> StateAsync(CancellationToken cancellationToken)
    {
        foreach (var node in nodes)
        {
            var (exitCode, output) = await RunAsync(["-p", Port(node), "cluster", "info"], cancellationToken);
            if (exitCode == 0 && RedisClusterState.Parse(output) is { } state)
            {
                return state;
            }
        }

        return null;
    }

    /// <summary>Waits until every node answers, then creates the cluster unless its nodes already know each other.</summary>
    public async Task CreateUnlessFormedAsync(RedisClusterShape shape, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var node in nodes)
            {
                while ((await RunAsync(["-p", Port(node), "ping"], cancellationToken)).Output.Trim() != "PONG")
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
                }
            }

            if (await StateAsync(cancellationToken) is { KnownNodes: > 1 } state)
            {
                logger.LogInformation("The Redis Cluster exists ({Known} nodes known); its nodes form it again", state.KnownNodes);
                return;
            }

            logger.LogInformation("Creating a Redis Cluster of {Masters} masters with {Replicas} replica(s) each", shape.Masters, shape.ReplicasPerMaster);
            var (exitCode, output) = await RunAsync(
                ["--cluster", "create", .. nodes.Select(node => $"127.0.0.1:{node.Port}"),
                 "--cluster-replicas", shape.ReplicasPerMaster.ToString(CultureInfo.InvariantCulture), "--cluster-yes"],
                cancellationToken);
            logger.Log(exitCode == 0 ? LogLevel.Information : LogLevel.Error, "redis-cli --cluster create: {Output}", output.Trim());
            if (exitCode != 0)
            {
                Failure = $"redis-cli --cluster create failed (exit code {exitCode}): {output.Trim().Split('\n')[^1]}";
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The AppHost stopped before the cluster was up.
        }
        catch (Exception e)
        {
            Failure = e.Message;
            logger.LogError(e, "The Redis Cluster could not be created");
        }
    }

    private static string Port(RedisClusterNodePorts node) => node.Port.ToString(CultureInfo.InvariantCulture);

    private async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(redisCli, ["-h", "127.0.0.1", "--no-auth-warning", .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.Environment["REDISCLI_AUTH"] = password;
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {redisCli}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await output + await errors);
    }
}
