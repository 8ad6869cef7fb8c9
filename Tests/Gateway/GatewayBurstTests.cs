using Microsoft.Extensions.DependencyInjection;
using System.Net.NetworkInformation;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Gateway;

/// <summary>
/// Many clients connecting at once through the Gateway. The Gateway needs an open file per client socket; when it
/// also opened one TCP connection per client towards the replicas, it ran out of open files and answered every
/// further connect with 502 (docs/architecture.md, "Link to the replicas"). It now carries the
/// WebSockets as streams of a few HTTP/2 connections per replica (ConnectionService/GatewayLink.cs).
/// </summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class GatewayBurstTests(RealtimeAppFixture fixture)
{
    // The test system allows 5 connections per user (Realtime:MaxConnectionsPerUser).
    private const int Users = 60;
    private const int ConnectionsPerUser = 5;
    private const int Connections = Users * ConnectionsPerUser;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private static readonly string[] Replicas = ["connection-service-1", "connection-service-2"];

    [Fact]
    public async Task A_burst_of_websocket_connects_is_answered_in_full_over_a_few_connections_to_the_replicas()
    {
        using var gateway = fixture.CreateGatewayClient();
        var users = new TestUser[Users];
        await Parallel.ForAsync(0, Users, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, _) => users[i] = await RealtimeTestClient.CreateUserAsync(gateway, "burst")).WaitAsync(Timeout);

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var connecting = Enumerable.Range(0, Connections).Select(async i =>
        {
            await start.Task;
            return await ConnectAsync(users[i % Users]);
        }).ToList();
        start.SetResult();
        var outcomes = await Task.WhenAll(connecting).WaitAsync(Timeout);

        try
        {
            var failures = outcomes.Where(o => o.Error is not null).GroupBy(o => o.Error).Select(g => $"{g.Count()}× {g.Key}").ToList();
            Assert.True(failures.Count == 0, $"Not every connect got welcome and auth_success: {string.Join("; ", failures)}");
            Assert.Equal(Replicas, outcomes.Select(o => o.Client!.ReplicaId).Distinct().Order());

            // While it holds them all: the Gateway's side towards the replicas is a few multiplexed connections,
            // not one socket (and open file) per client.
            var towardsReplicas = EstablishedConnectionsTo(ReplicaPorts());
            Assert.True(towardsReplicas < Connections / 10,
                $"{towardsReplicas} TCP connections to the replicas for {Connections} WebSockets through the Gateway");
        }
        finally
        {
            await Task.WhenAll(outcomes.Where(o => o.Client is not null).Select(o => o.Client!.DisposeAsync().AsTask())).WaitAsync(Timeout);
        }
    }

    private async Task<(RealtimeTestClient? Client, string? Error)> ConnectAsync(TestUser user)
    {
        try
        {
            return (await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user), null);
        }
        catch (Exception e)
        {
            return (null, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private HashSet<int> ReplicaPorts() =>
        fixture.App.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .Where(resource => Replicas.Contains(resource.Name))
            .SelectMany(resource => resource.Annotations.OfType<EndpointAnnotation>())
            .Where(endpoint => endpoint.AllocatedEndpoint is not null)
            .Select(endpoint => endpoint.AllocatedEndpoint!.Port)
            .ToHashSet();

    // Both ends of a loopback connection are listed; the side whose remote port is a replica's is the caller's.
    private static int EstablishedConnectionsTo(HashSet<int> ports) =>
        IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpConnections()
            .Count(connection => connection.State == TcpState.Established && ports.Contains(connection.RemoteEndPoint.Port));
}
