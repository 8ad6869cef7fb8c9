using System.Net;
using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using RealtimeAspire.AppHost;
using RealtimeAspire.Tests.Gateway;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Observability;

/// <summary>The dashboard's "Drain" command on a ConnectionService replica. Runs on the tests' own app, which it restores.</summary>
[Collection(TracingAppCollection.Name)]
public sealed class DrainCommandTests(TracingAppFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Drain_closes_the_replicas_connections_with_1001_and_needs_the_operator_key()
    {
        using var gateway = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(gateway, "drain");
        await using var client = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user).WaitAsync(Timeout);
        var replica = client.ReplicaId!;

        using var direct = fixture.App.CreateHttpClient(replica, "http");
        Assert.Equal(HttpStatusCode.Forbidden, (await direct.PostAsync("/internal/drain", null).WaitAsync(Timeout)).StatusCode);

        try
        {
            var commands = fixture.App.Services.GetRequiredService<ResourceCommandService>();
            var result = await commands.ExecuteCommandAsync(replica, ConnectionServiceCommands.Drain).WaitAsync(Timeout);
            Assert.True(result.Success, result.Message);
            Assert.Equal(1001, await client.WaitForCloseAsync(Timeout));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await direct.GetAsync("/health").WaitAsync(Timeout)).StatusCode);
        }
        finally
        {
            // A drained replica stays drained until it restarts; the other tests of this app need it back.
            await ReplicaLifecycle.StopAsync(fixture.App, replica);
            await ReplicaLifecycle.StartAsync(fixture.App, replica);
        }
    }

    [Fact]
    public async Task After_a_drain_the_gateway_sends_new_connections_to_the_other_replica_at_once()
    {
        const string drained = "connection-service-1";
        var commands = fixture.App.Services.GetRequiredService<ResourceCommandService>();
        try
        {
            var result = await commands.ExecuteCommandAsync(drained, ConnectionServiceCommands.Drain).WaitAsync(Timeout);
            Assert.True(result.Success, result.Message);

            // Right after the drain, before the active health check (every 2 s, 2 failures) could take it out.
            var answers = new List<string>();
            for (var i = 0; i < 20; i++)
            {
                try
                {
                    await using var client = await RealtimeTestClient.ConnectAsync(fixture.GatewayUri).WaitAsync(Timeout);
                    await client.ReceiveWelcomeAsync().WaitAsync(Timeout);
                    answers.Add(client.ReplicaId!);
                }
                catch (WebSocketException e) when (e.Message.Contains("'503'", StringComparison.Ordinal))
                {
                    answers.Add("503");
                }
            }

            // The one connect that finds the replica draining is refused; every later one goes to the other replica.
            Assert.True(answers.Count(answer => answer == "503") <= 1, string.Join(", ", answers));
            Assert.All(answers.Where(answer => answer != "503"), replica => Assert.Equal("connection-service-2", replica));
        }
        finally
        {
            await ReplicaLifecycle.StopAsync(fixture.App, drained);
            await ReplicaLifecycle.StartAsync(fixture.App, drained);
        }
    }
}
