using System.Net;
using System.Net.Http.Json;
using RealtimeAspire.AppHost;
using RealtimeAspire.Tests.Gateway;
using RealtimeAspire.Tests.Infrastructure;
using RealtimeAspire.Tests.Messages;
using Xunit.Abstractions;

namespace RealtimeAspire.Tests.Reliability;

/// <summary>
/// Each scenario runs steady traffic on the fault system, breaks one part mid-run, keeps sending through the
/// fault and after it, restores the system and accounts for every message (<see cref="FaultAccounting"/>).
/// </summary>
[Collection(FaultAppCollection.Name)]
public sealed class FaultScenarioTests(RealtimeAppFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Kill_9_of_a_replica_moves_its_clients_to_the_other_and_loses_nothing()
    {
        const string victim = "connection-service-2";
        await using var traffic = await SteadyTraffic.StartAsync(fixture, "replica-kill");
        var moved = traffic.Clients.Where(c => c.Replica == victim).ToList();
        try
        {
            await Task.Delay(FaultRunSettings.Before);
            await ListeningProcess.KillAsync(fixture.App.GetEndpoint(victim, "http").Port);
            traffic.FaultInjected();
            await traffic.WaitForRecoveryAsync(RecoveryTimeout);
            await Task.Delay(FaultRunSettings.After);
        }
        finally
        {
            await ReplicaLifecycle.StartAsync(fixture.App, victim);
            traffic.Restored();
        }

        var figures = await FaultAccounting.AccountAsync(traffic, fixture, output);

        figures.AssertNothingLost();
        Assert.NotEmpty(moved);
        Assert.All(moved, client => Assert.Equal("connection-service-1", client.Replica));
        Assert.All(moved, client => Assert.NotEmpty(client.LostConnections));
    }

    [Fact]
    public async Task Drain_of_a_replica_closes_with_1001_and_its_clients_move_without_loss()
    {
        const string drained = "connection-service-1";
        await using var traffic = await SteadyTraffic.StartAsync(fixture, "replica-drain");
        var moved = traffic.Clients.Where(c => c.Replica == drained).ToList();
        try
        {
            await Task.Delay(FaultRunSettings.Before);
            // The command answers once the replica has closed its connections with 1001.
            var result = await fixture.App.ResourceCommands.ExecuteCommandAsync(drained, ConnectionServiceCommands.Drain).WaitAsync(CommandTimeout);
            traffic.FaultInjected();
            Assert.True(result.Success, result.Message);
            await traffic.WaitForRecoveryAsync(RecoveryTimeout);
            await Task.Delay(FaultRunSettings.After);
        }
        finally
        {
            // A drained replica stays drained until it restarts.
            await ReplicaLifecycle.StopAsync(fixture.App, drained);
            await ReplicaLifecycle.StartAsync(fixture.App, drained);
            traffic.Restored();
        }

        var figures = await FaultAccounting.AccountAsync(traffic, fixture, output);

        figures.AssertNothingLost();
        Assert.NotEmpty(moved);
        Assert.All(moved, client => Assert.Equal("connection-service-2", client.Replica));
        Assert.All(moved, client => Assert.Equal([1001], client.LostConnections));
    }

    [Fact]
    public async Task MessageService_stopped_for_a_while_stores_everything_acked_meanwhile_once_it_is_back()
    {
        await using var traffic = await SteadyTraffic.StartAsync(fixture, "message-service-stop");
        try
        {
            await Task.Delay(FaultRunSettings.Before);
            await MessageServiceLifecycle.StopAsync(fixture);
            traffic.FaultInjected();
            await traffic.WaitForRecoveryAsync(RecoveryTimeout);
            await Task.Delay(FaultRunSettings.Outage);
        }
        finally
        {
            await MessageServiceLifecycle.StartAsync(fixture);
            traffic.Restored();
        }

        await Task.Delay(FaultRunSettings.After);
        var figures = await FaultAccounting.AccountAsync(traffic, fixture, output);

        figures.AssertNothingLost();
        Assert.Contains(traffic.Sent, m => m.AckedAt > traffic.FaultAt && m.AckedAt < traffic.RestoredAt);
    }

    [Fact]
    public async Task PostgreSQL_restart_is_survived_by_MessageService_and_AuthService_on_their_own()
    {
        await using var traffic = await SteadyTraffic.StartAsync(fixture, "postgres-restart");
        try
        {
            await Task.Delay(FaultRunSettings.Before);
            await ReplicaLifecycle.StopAsync(fixture.App, "postgres");
            traffic.FaultInjected();
            await Task.Delay(FaultRunSettings.Outage);
        }
        finally
        {
            await ReplicaLifecycle.StartAsync(fixture.App, "postgres");
            traffic.Restored();
        }

        await traffic.WaitForRecoveryAsync(RecoveryTimeout);
        var authRecovery = await WaitUntilAuthWorksAsync();
        output.WriteLine($"register and token work again {authRecovery.TotalSeconds:0.0} s after PostgreSQL was back");
        await Task.Delay(FaultRunSettings.After);
        var figures = await FaultAccounting.AccountAsync(traffic, fixture, output);

        figures.AssertNothingLost();
        Assert.Contains(traffic.Sent, m => m.AckedAt > traffic.FaultAt && m.AckedAt < traffic.RestoredAt);
    }

    [Fact]
    public async Task Gateway_killed_and_started_again_keeps_its_port_and_the_clients_come_back()
    {
        await using var traffic = await SteadyTraffic.StartAsync(fixture, "gateway-kill");
        var address = fixture.GatewayUri;
        try
        {
            await Task.Delay(FaultRunSettings.Before);
            await ListeningProcess.KillAsync(address.Port);
            traffic.FaultInjected();
            await Task.Delay(FaultRunSettings.Outage);
        }
        finally
        {
            await ReplicaLifecycle.StartAsync(fixture.App, "gateway");
            traffic.Restored();
        }

        await traffic.WaitForRecoveryAsync(RecoveryTimeout);
        await Task.Delay(FaultRunSettings.After);
        var figures = await FaultAccounting.AccountAsync(traffic, fixture, output);

        figures.AssertNothingLost();
        Assert.Equal(address, fixture.GatewayUri);
        Assert.All(traffic.Clients, client => Assert.NotEmpty(client.LostConnections));
    }

    /// <summary>Registers a new user and signs in, through the Gateway, until both work; the time that took.</summary>
    private async Task<TimeSpan> WaitUntilAuthWorksAsync()
    {
        var started = DateTimeOffset.UtcNow;
        using var gateway = fixture.CreateGatewayClient();
        while (true)
        {
            var credentials = new { username = $"pg_{Guid.NewGuid():N}"[..24], password = "postgres-restart-password" };
            try
            {
                using var registered = await gateway.PostAsJsonAsync("/api/auth/register", credentials).WaitAsync(TimeSpan.FromSeconds(30));
                using var token = await gateway.PostAsJsonAsync("/api/auth/token", credentials).WaitAsync(TimeSpan.FromSeconds(30));
                if (registered.StatusCode == HttpStatusCode.Created && token.StatusCode == HttpStatusCode.OK)
                {
                    return DateTimeOffset.UtcNow - started;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or TimeoutException)
            {
                // Not yet.
            }

            Assert.True(DateTimeOffset.UtcNow - started < RecoveryTimeout, "AuthService did not register and sign in users again after PostgreSQL came back.");
            await Task.Delay(500);
        }
    }
}
