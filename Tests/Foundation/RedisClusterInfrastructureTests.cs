using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace RealtimeAspire.Tests.Foundation;

/// <summary>
/// <c>Infrastructure:Redis=cluster</c> in local mode: 3 masters and 3 replicas of redis-server with append-only files,
/// created on first start, shown as one logical <c>redis</c> resource with its nodes, and formed again on the same
/// data by the next start.
/// </summary>
public sealed class RedisClusterInfrastructureTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("redis-cluster-tests-");

    [Fact]
    public async Task A_cluster_of_three_masters_with_a_replica_each_is_created_and_keeps_its_data_across_starts()
    {
        var keys = Enumerable.Range(0, 20).Select(i => (RedisKey)$"cluster-test:{i}").ToList();

        await using (var first = await StartUntilRedisIsHealthyAsync())
        {
            AssertNodesAreChildrenOfTheLogicalRedis(first);
            await using var redis = await ConnectAsync(first);

            var servers = redis.GetServers();
            Assert.Equal(6, servers.Length);
            Assert.Equal(3, servers.Count(server => !server.IsReplica));
            foreach (var server in servers)
            {
                var appendOnly = await server.ConfigGetAsync("appendonly").WaitAsync(CommandTimeout);
                Assert.Equal("yes", Assert.Single(appendOnly).Value);
            }

            // Keys spread over the slots of all three masters, routed by the client.
            var database = redis.GetDatabase();
            foreach (var key in keys)
            {
                await database.StringSetAsync(key, key.ToString()).WaitAsync(CommandTimeout);
            }

            Assert.Equal(3, keys.Select(key => redis.GetServer(key).EndPoint.ToString()).Distinct().Count());
            // A stopped redis-server writes its append-only file out, so the next start finds every key.
        }

        await using var second = await StartUntilRedisIsHealthyAsync();
        await using var again = await ConnectAsync(second);
        foreach (var key in keys)
        {
            Assert.Equal(key.ToString(), (string?)await again.GetDatabase().StringGetAsync(key).WaitAsync(CommandTimeout));
        }
    }

    private async Task<DistributedApplication> StartUntilRedisIsHealthyAsync()
    {
        using var cancellation = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [
                "--Infrastructure:Mode=local",
                $"--Infrastructure:DataPath={_data.FullName}",
                "--Infrastructure:Redis=cluster",
                "--Gateway:Port=0",
            ],
            cancellation.Token);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));

        var app = await builder.BuildAsync(cancellation.Token).WaitAsync(cancellation.Token);
        await app.StartAsync(cancellation.Token).WaitAsync(cancellation.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("redis", cancellation.Token).WaitAsync(cancellation.Token);
        return app;
    }

    private static void AssertNodesAreChildrenOfTheLogicalRedis(DistributedApplication app)
    {
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        var nodes = model.Resources.Where(resource => resource.Name.StartsWith("redis-node-", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, nodes.Count);
        Assert.All(nodes, node => Assert.Contains(node.Annotations.OfType<ResourceRelationshipAnnotation>(),
            relation => relation.Type == "Parent" && relation.Resource.Name == "redis"));
    }

    private static async Task<ConnectionMultiplexer> ConnectAsync(DistributedApplication app)
    {
        var connectionString = await app.GetConnectionStringAsync("redis").AsTask().WaitAsync(CommandTimeout)
            ?? throw new InvalidOperationException("redis has no connection string");
        // Admin mode for CONFIG GET only; the services connect without it.
        return await ConnectionMultiplexer.ConnectAsync($"{connectionString},allowAdmin=true").WaitAsync(CommandTimeout);
    }

    public void Dispose()
    {
        try
        {
            _data.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A node that has not quite exited may still hold a file; the temp folder is cleaned later.
        }
    }
}
