using RealtimeAspire.Tests.Gateway;
using RealtimeAspire.Tests.Reliability;
using Xunit.Abstractions;

namespace RealtimeAspire.Tests.Cluster;

/// <summary>
/// The topology faults kill a master and move a slot: they get a cluster system of their own, so nothing they break
/// reaches the core protocol's tests on the other cluster collection.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RedisClusterFaultCollection : ICollectionFixture<RedisClusterAppFixture>
{
    public const string Name = "realtime-app-redis-cluster-faults";
}

/// <summary>
/// Redis Cluster topology changes under the steady traffic of Tests/Reliability, with its end-of-run accounting
/// (sent = acked = delivered = stored, nothing lost or twice, no seq used twice), on the master of the room's slot.
/// </summary>
[Collection(RedisClusterFaultCollection.Name)]
public sealed class ClusterFaultTests(RedisClusterAppFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan FailoverTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Kill_9_of_the_rooms_master_promotes_its_replica_and_loses_no_acked_message()
    {
        await using var traffic = await SteadyTraffic.StartAsync(fixture, "cluster-master-kill");
        await using var nodes = await ClusterNodes.ConnectAsync(fixture);
        var (slot, master, replica) = await nodes.ShardOfRoomAsync(traffic.Room);
        try
        {
            await Task.Delay(FaultRunSettings.Before);
            await ClusterNodes.SignalAsync(master, "KILL");
            traffic.FaultInjected();
            await nodes.WaitUntilMasterAsync(replica, FailoverTimeout);
            output.WriteLine($"{replica.Resource} promoted {(DateTimeOffset.UtcNow - traffic.FaultAt!.Value).TotalSeconds:0.00} s after the kill of {master.Resource}");
        }
        finally
        {
            // Back as the new master's replica: until then an ack of the slot has no replica to wait for.
            await ReplicaLifecycle.StartAsync(fixture.App, master.Resource);
            traffic.Restored();
        }

        await traffic.WaitForRecoveryAsync(RecoveryTimeout);
        await Task.Delay(FaultRunSettings.After);
        var figures = await FaultAccounting.AccountAsync(traffic, fixture, output);

        figures.AssertNothingLost();
        Assert.Equal(replica.Id, (await nodes.MasterOfAsync(slot)).Id);
        AssertSeqContinues(traffic);
    }

    [Fact]
    public async Task The_rooms_slot_moved_to_another_master_under_traffic_loses_no_acked_message()
    {
        await using var traffic = await SteadyTraffic.StartAsync(fixture, "cluster-reshard");
        await using var nodes = await ClusterNodes.ConnectAsync(fixture);
        var (slot, source, _) = await nodes.ShardOfRoomAsync(traffic.Room);
        var target = (await nodes.MastersAsync()).First(master => master.Id != source.Id);

        await Task.Delay(FaultRunSettings.Before);
        traffic.FaultInjected();
        var moved = await nodes.MigrateSlotAsync(slot, target, pause: TimeSpan.FromMilliseconds(100));
        traffic.Restored();
        output.WriteLine($"slot {slot}: {moved} keys moved from {source.Resource} to {target.Resource} in {(traffic.RestoredAt - traffic.FaultAt)!.Value.TotalSeconds:0.00} s");

        await traffic.WaitForRecoveryAsync(RecoveryTimeout);
        await Task.Delay(FaultRunSettings.After);
        var figures = await FaultAccounting.AccountAsync(traffic, fixture, output);

        figures.AssertNothingLost();
        Assert.True(moved > 0);
        Assert.Equal(target.Id, (await nodes.MasterOfAsync(slot)).Id);
        AssertSeqContinues(traffic);
    }

    /// <summary>Every message first sent after the fault has a seq above every seq acked before it.</summary>
    private static void AssertSeqContinues(SteadyTraffic traffic)
    {
        var lastSeqBefore = traffic.Sent.Where(m => m.AckedAt < traffic.FaultAt).Max(m => m.Ack!.Seq);
        Assert.All(traffic.Sent.Where(m => m.FirstSentAt > traffic.RestoredAt), m => Assert.True(m.Ack!.Seq > lastSeqBefore));
    }
}
