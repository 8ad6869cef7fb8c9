using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;
using RealtimeAspire.Tests.Messages;

namespace RealtimeAspire.Tests.Cluster;

/// <summary>The whole system on a local Redis Cluster (3 masters, 1 replica each) instead of one redis-server.</summary>
public sealed class RedisClusterAppFixture : RealtimeAppFixture
{
    protected override IEnumerable<string> Settings => ["--Infrastructure:Redis=cluster"];
}

[CollectionDefinition(Name)]
public sealed class RedisClusterAppCollection : ICollectionFixture<RedisClusterAppFixture>
{
    public const string Name = "realtime-app-redis-cluster";
}

// The core protocol's tests, run once more on the cluster: rooms across replicas, recovery, the cluster-wide limits,
// private rooms and their kicks, persistence.

[Collection(RedisClusterAppCollection.Name)]
public sealed class RoomProtocolOnRedisClusterTests(RedisClusterAppFixture fixture) : RoomProtocolTests(fixture);

[Collection(RedisClusterAppCollection.Name)]
public sealed class RecoveryOnRedisClusterTests(RedisClusterAppFixture fixture) : RecoveryTests(fixture);

[Collection(RedisClusterAppCollection.Name)]
public sealed class ClusterLimitsOnRedisClusterTests(RedisClusterAppFixture fixture) : ClusterLimitsTests(fixture);

[Collection(RedisClusterAppCollection.Name)]
public sealed class PrivateRoomOnRedisClusterTests(RedisClusterAppFixture fixture) : PrivateRoomTests(fixture);

[Collection(RedisClusterAppCollection.Name)]
public sealed class EndToEndPersistenceOnRedisClusterTests(RedisClusterAppFixture fixture) : EndToEndPersistenceTests(fixture);
