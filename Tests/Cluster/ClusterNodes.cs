using System.Diagnostics;
using System.Globalization;
using RealtimeAspire.Tests.Infrastructure;
using StackExchange.Redis;

namespace RealtimeAspire.Tests.Cluster;

/// <summary>One redis-server of the local cluster: its resource, its address and its node id.</summary>
public sealed record ClusterNode(string Resource, int Port, string Id);

/// <summary>
/// The nodes of a test system's local Redis Cluster, as an operator sees them: which master owns a key's slot and
/// which node replicates it, and the topology changes the fault tests make (a process stopped or killed, a slot moved).
/// </summary>
public sealed class ClusterNodes : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    private readonly DistributedApplication _app;
    private readonly ConnectionMultiplexer _redis;
    private readonly string _password;

    private ClusterNodes(DistributedApplication app, ConnectionMultiplexer redis, string password)
    {
        _app = app;
        _redis = redis;
        _password = password;
    }

    public static async Task<ClusterNodes> ConnectAsync(RealtimeAppFixture fixture)
    {
        var connectionString = await fixture.App.GetConnectionStringAsync("redis").AsTask().WaitAsync(CommandTimeout);
        var configuration = ConfigurationOptions.Parse(connectionString!);
        configuration.AbortOnConnectFail = false;
        // CLUSTER and MIGRATE are admin commands to StackExchange.Redis.
        configuration.AllowAdmin = true;
        var redis = await ConnectionMultiplexer.ConnectAsync(configuration).WaitAsync(CommandTimeout);
        return new ClusterNodes(fixture.App, redis, configuration.Password!);
    }

    public int Slot(RedisKey key) => _redis.HashSlot(key);

    /// <summary>The slot of a room's keys, its master and that master's replica.</summary>
    public async Task<(int Slot, ClusterNode Master, ClusterNode Replica)> ShardOfRoomAsync(string room)
    {
        var slot = Slot(ConnectionService.Redis.RedisKeys.Seq(room));
        return (slot, await MasterOfAsync(slot), await ReplicaOfAsync(slot));
    }

    /// <summary>The master that serves <paramref name="slot"/>, asked of the cluster itself (CLUSTER SHARDS).</summary>
    public async Task<ClusterNode> MasterOfAsync(int slot) => await NodeAsync((await ShardOfAsync(slot)).Master);

    /// <summary>The replica of the master that serves <paramref name="slot"/>.</summary>
    public async Task<ClusterNode> ReplicaOfAsync(int slot) => await NodeAsync(Assert.Single((await ShardOfAsync(slot)).Replicas));

    public async Task<IReadOnlyList<ClusterNode>> MastersAsync()
    {
        var masters = new List<ClusterNode>();
        foreach (var shard in await ShardsAsync())
        {
            if (shard.Slots.Count > 0)
            {
                masters.Add(await NodeAsync(shard.Master));
            }
        }

        return masters;
    }

    /// <summary>Sends SIGKILL (<c>kill -9</c>), SIGSTOP or SIGCONT to the node's redis-server.</summary>
    public static async Task SignalAsync(ClusterNode node, string signal)
    {
        using var process = Reliability.ListeningProcess.Find(node.Port);
        using var kill = Process.Start("kill", [$"-{signal}", process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync().WaitAsync(CommandTimeout);
        Assert.Equal(0, kill.ExitCode);
        if (signal == "KILL")
        {
            await process.WaitForExitAsync().WaitAsync(CommandTimeout);
        }
    }

    /// <summary>Waits until <paramref name="node"/> is a master serving slots, as every other node sees it.</summary>
    public async Task WaitUntilMasterAsync(ClusterNode node, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            try
            {
                var shards = await ShardsAsync(node.Port);
                if (shards.Any(shard => shard.Master == node.Id && shard.Slots.Count > 0)
                    && (await ClusterInfoAsync(node.Port)).Contains("cluster_state:ok", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (RedisException)
            {
                // The node is busy with the election.
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"{node.Resource} was not promoted within {timeout}.");
            await Task.Delay(200);
        }
    }

    /// <summary>
    /// Moves <paramref name="slot"/> from its master to <paramref name="target"/> the way <c>redis-cli --cluster
    /// reshard</c> does (IMPORTING / MIGRATING, MIGRATE of its keys, then SETSLOT NODE everywhere), one key per MIGRATE
    /// with <paramref name="pause"/> between, so traffic meets the slot half moved.
    /// </summary>
    public async Task<int> MigrateSlotAsync(int slot, ClusterNode target, TimeSpan pause)
    {
        var source = await MasterOfAsync(slot);
        Assert.NotEqual(source.Id, target.Id);
        await RunAsync(target.Port, "CLUSTER", "SETSLOT", slot, "IMPORTING", source.Id);
        await RunAsync(source.Port, "CLUSTER", "SETSLOT", slot, "MIGRATING", target.Id);
        var moved = 0;
        while (true)
        {
            var keys = (RedisResult[])(await RunAsync(source.Port, "CLUSTER", "GETKEYSINSLOT", slot, 1))!;
            if (keys.Length == 0)
            {
                break;
            }

            await RunAsync(source.Port, "MIGRATE", "127.0.0.1", target.Port, "", 0, 5000, "AUTH", _password, "KEYS", (string)keys[0]!);
            moved++;
            await Task.Delay(pause);
        }

        // The target first, so the slot always has an owner that answers for it (as redis-cli does).
        await RunAsync(target.Port, "CLUSTER", "SETSLOT", slot, "NODE", target.Id);
        await RunAsync(source.Port, "CLUSTER", "SETSLOT", slot, "NODE", target.Id);
        foreach (var master in await MastersAsync())
        {
            if (master.Id != source.Id && master.Id != target.Id)
            {
                await RunAsync(master.Port, "CLUSTER", "SETSLOT", slot, "NODE", target.Id);
            }
        }

        return moved;
    }

    public ValueTask DisposeAsync() => _redis.DisposeAsync();

    private async Task<(string Master, IReadOnlyList<string> Replicas, IReadOnlyList<(int From, int To)> Slots)> ShardOfAsync(int slot) =>
        (await ShardsAsync()).Single(shard => shard.Slots.Any(range => range.From <= slot && slot <= range.To));

    private async Task<ClusterNode> NodeAsync(string id)
    {
        foreach (var resource in Enumerable.Range(0, 64).Select(i => $"redis-node-{i}"))
        {
            if (!_app.ResourceNotifications.TryGetCurrentState(resource, out _))
            {
                break;
            }

            var port = _app.GetEndpoint(resource, "tcp").Port;
            try
            {
                if ((string?)await RunAsync(port, "CLUSTER", "MYID") == id)
                {
                    return new ClusterNode(resource, port, id);
                }
            }
            catch (RedisException)
            {
                // A killed node: not the one asked for.
            }
        }

        throw new InvalidOperationException($"No node resource has the cluster node id {id}.");
    }

    /// <summary>CLUSTER SHARDS, asked of a node that answers (<paramref name="port"/> if given).</summary>
    private async Task<List<(string Master, IReadOnlyList<string> Replicas, IReadOnlyList<(int From, int To)> Slots)>> ShardsAsync(int? port = null)
    {
        var answer = port is { } asked ? await RunAsync(asked, "CLUSTER", "SHARDS") : await RunOnAnyAsync("CLUSTER", "SHARDS");
        var shards = new List<(string, IReadOnlyList<string>, IReadOnlyList<(int, int)>)>();
        foreach (var shard in (RedisResult[])answer!)
        {
            var fields = shard.ToDictionary();
            var slots = ((RedisResult[])fields["slots"]!).Select(value => (int)value).Chunk(2).Select(pair => (pair[0], pair[1])).ToList();
            string? master = null;
            var replicas = new List<string>();
            foreach (var node in (RedisResult[])fields["nodes"]!)
            {
                var nodeFields = node.ToDictionary();
                if ((string?)nodeFields["health"] != "online")
                {
                    continue;
                }

                if ((string?)nodeFields["role"] == "master")
                {
                    master = (string?)nodeFields["id"];
                }
                else
                {
                    replicas.Add((string)nodeFields["id"]!);
                }
            }

            if (master is not null)
            {
                shards.Add((master, replicas, slots));
            }
        }

        return shards;
    }

    private async Task<string> ClusterInfoAsync(int port) => (string)(await RunAsync(port, "CLUSTER", "INFO"))!;

    private async Task<RedisResult> RunOnAnyAsync(string command, params object[] args)
    {
        foreach (var server in _redis.GetServers().Where(server => server.IsConnected))
        {
            try
            {
                return await server.ExecuteAsync(command, args).WaitAsync(CommandTimeout);
            }
            catch (RedisException)
            {
                // Try the next node.
            }
        }

        throw new InvalidOperationException($"No node of the cluster answered {command}.");
    }

    private Task<RedisResult> RunAsync(int port, string command, params object[] args) =>
        _redis.GetServer("127.0.0.1", port).ExecuteAsync(command, args).WaitAsync(CommandTimeout);
}
