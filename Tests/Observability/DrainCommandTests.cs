using System.Net;
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
}
