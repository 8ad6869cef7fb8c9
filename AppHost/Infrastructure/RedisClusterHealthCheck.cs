using System.Runtime.Versioning;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace RealtimeAspire.AppHost.Infrastructure;

/// <summary>The cluster's state as <c>CLUSTER INFO</c> tells it.</summary>
public sealed record RedisClusterState(bool Ok, int KnownNodes, int SlotsOk, int Size)
{
    /// <summary>The state in a <c>CLUSTER INFO</c> answer; null when the text is none.</summary>
    public static RedisClusterState? Parse(string info)
    {
        if (!info.Contains("cluster_state:", StringComparison.Ordinal))
        {
            return null;
        }

        var fields = info.Split('\n', StringSplitOptions.TrimEntries)
            .Select(line => line.Split(':', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1]);
        int Number(string key) => int.TryParse(fields.GetValueOrDefault(key), out var value) ? value : 0;
        return new RedisClusterState(fields.GetValueOrDefault("cluster_state") == "ok",
            Number("cluster_known_nodes"), Number("cluster_slots_ok"), Number("cluster_size"));
    }
}

/// <summary>
/// Asks the local cluster's nodes for <c>CLUSTER INFO</c> over one StackExchange.Redis connection, kept for every
/// health poll (a redis-cli process per poll cost a process start every few seconds).
/// </summary>
public sealed class RedisClusterProbe(IReadOnlyList<RedisClusterNodePorts> nodes, string password) : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _connecting = new(1, 1);
    private ConnectionMultiplexer? _redis;

    /// <summary>The state as the first node that answers tells it; null when none does.</summary>
    public async Task<RedisClusterState?> StateAsync(CancellationToken cancellationToken)
    {
        var redis = await ConnectAsync(cancellationToken);
        foreach (var server in redis.GetServers().Where(server => server.IsConnected))
        {
            try
            {
                var info = (string?)await server.ExecuteAsync("CLUSTER", "INFO").WaitAsync(Timeout, cancellationToken);
                if (info is not null && RedisClusterState.Parse(info) is { } state)
                {
                    return state;
                }
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // A node that is down or still loading; ask the next one.
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is { } redis)
        {
            await redis.DisposeAsync();
        }
    }

    private async Task<ConnectionMultiplexer> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_redis is { } connected)
        {
            return connected;
        }

        await _connecting.WaitAsync(cancellationToken);
        try
        {
            if (_redis is null)
            {
                var configuration = new ConfigurationOptions
                {
                    Password = password,
                    // The nodes start beside the AppHost: connect in the background, and keep reconnecting.
                    AbortOnConnectFail = false,
                    // CLUSTER INFO is an admin command to StackExchange.Redis.
                    AllowAdmin = true,
                    ConnectTimeout = (int)Timeout.TotalMilliseconds,
                    AsyncTimeout = (int)Timeout.TotalMilliseconds,
                    ClientName = "apphost-health",
                };
                foreach (var node in nodes)
                {
                    configuration.EndPoints.Add("127.0.0.1", node.Port);
                }

                _redis = await ConnectionMultiplexer.ConnectAsync(configuration);
            }

            return _redis;
        }
        finally
        {
            _connecting.Release();
        }
    }
}

/// <summary>Healthy once the cluster has every node, every slot served and the state <c>ok</c>.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class RedisClusterHealthCheck(RedisClusterCli cli, RedisClusterProbe probe, RedisClusterShape shape) : IHealthCheck
{
    private const int Slots = 16384;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var state = cli.Failure is null ? await probe.StateAsync(cancellationToken) : null;
        return state switch
        {
            _ when cli.Failure is { } failure => HealthCheckResult.Unhealthy(failure),
            null => HealthCheckResult.Unhealthy("No node of the Redis Cluster answers."),
            { Ok: true, SlotsOk: Slots } when state.KnownNodes == shape.Nodes && state.Size == shape.Masters => HealthCheckResult.Healthy(),
            _ => HealthCheckResult.Unhealthy(
                $"Redis Cluster not ready: {state.KnownNodes}/{shape.Nodes} nodes, {state.Size}/{shape.Masters} masters, {state.SlotsOk}/{Slots} slots, state {(state.Ok ? "ok" : "fail")}."),
        };
    }
}
