using System.Net;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Gateway;

[Collection(DisruptiveAppCollection.Name)]
public sealed class GatewayAffinityTests(RealtimeAppFixture fixture)
{
    private const string Replica1 = "connection-service-1";
    private const string Replica2 = "connection-service-2";
    private static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_gateway_sees_both_replicas_and_the_affinity_cookie_pins_a_client_to_one()
    {
        using var probe = new ReplicaProbe(fixture.GatewayUri);

        var firstAnswers = new List<ReplicaProbe.Answer>();
        for (var i = 0; i < 40 && firstAnswers.Select(a => a.Replica).Distinct().Count() < 2; i++)
        {
            firstAnswers.Add(await probe.SendAsync());
        }

        Assert.Equal([Replica1, Replica2], firstAnswers.Select(a => a.Replica).Distinct().Order());
        Assert.All(firstAnswers, answer => Assert.NotNull(answer.AffinityCookie));

        foreach (var replica in new[] { Replica1, Replica2 })
        {
            var cookie = firstAnswers.First(a => a.Replica == replica).AffinityCookie;
            for (var i = 0; i < 20; i++)
            {
                var answer = await probe.SendAsync(cookie);
                Assert.Equal(replica, answer.Replica);
            }
        }
    }

    [Fact]
    public async Task A_stopped_replica_gets_no_new_connections_and_its_clients_move_to_a_healthy_one()
    {
        using var probe = new ReplicaProbe(fixture.GatewayUri);
        var pinnedToReplica2 = await probe.PinToAsync(Replica2);

        try
        {
            await ReplicaLifecycle.StopAsync(fixture.App, Replica2);
            await probe.WaitUntilOnlyAsync(new HashSet<string> { Replica1 }, HealthTimeout);

            for (var i = 0; i < 20; i++)
            {
                var fresh = await probe.SendAsync();
                Assert.Equal(Replica1, fresh.Replica);
                Assert.NotEqual(HttpStatusCode.BadGateway, fresh.Status);
            }

            var moved = await probe.SendAsync(pinnedToReplica2);
            Assert.Equal(Replica1, moved.Replica);
            Assert.NotEqual(HttpStatusCode.BadGateway, moved.Status);
        }
        finally
        {
            // The shared system must have both replicas again for the tests after this one.
            await ReplicaLifecycle.StartAsync(fixture.App, Replica2);
            await probe.WaitUntilStableAsync(Replica2, ReplicaLifecycle.Timeout);
        }
    }
}
