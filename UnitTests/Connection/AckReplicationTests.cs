using System.Diagnostics.Metrics;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using RealtimeAspire.ConnectionService;
using RealtimeAspire.ConnectionService.Redis;
using StackExchange.Redis;

namespace RealtimeAspire.Tests.Connection;

/// <summary>An ack waits for a replica on a Redis Cluster unless configured otherwise, and never on a single server by default.</summary>
public sealed class AckReplicationTests
{
    [Theory]
    [InlineData(ServerType.Standalone, null, 0)]
    [InlineData(ServerType.Cluster, null, 1)]
    [InlineData(ServerType.Cluster, 0, 0)]
    [InlineData(ServerType.Standalone, 2, 2)]
    public async Task The_replicas_an_ack_waits_for_follow_the_topology_unless_configured(ServerType type, int? configured, int expected)
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var options = new RealtimeOptions { Redis = new AckReplicationOptions { AckReplicas = configured } };
        await using var replication = new AckReplication(new ConfigurationBuilder().Build(), new RedisTopology(OneServer.Of(type)), options,
            services.GetRequiredService<IMeterFactory>(), NullLogger<AckReplication>.Instance);

        Assert.Equal(expected, replication.Replicas);
        Assert.Equal(expected > 0, replication.Enabled);
    }

    /// <summary>A connection to one server of the given type; only what RedisTopology asks of it.</summary>
    public class OneServer : DispatchProxy
    {
        private ServerType _type;

        public static IConnectionMultiplexer Of(ServerType type)
        {
            var redis = Create<IConnectionMultiplexer, OneServer>();
            ((OneServer)(object)redis)._type = type;
            return redis;
        }

        protected override object? Invoke(MethodInfo? method, object?[]? args) => method?.Name switch
        {
            nameof(IConnectionMultiplexer.GetServers) => new[] { Server(_type) },
            "get_" + nameof(IServer.ServerType) => _type,
            _ => throw new NotSupportedException(method?.Name),
        };

        private static IServer Server(ServerType type)
        {
            var server = Create<IServer, OneServer>();
            ((OneServer)(object)server)._type = type;
            return server;
        }
    }
}
