using System.Net;
using RealtimeAspire.Contracts;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;
using RealtimeAspire.Tests.SignalR;
using static RealtimeAspire.Tests.ServerApi.ServerApiTestKit;

namespace RealtimeAspire.Tests.ServerApi;

/// <summary>A backend's <c>event</c> for one user (protocol.md §6): every live connection of that user, on every replica and transport.</summary>
[Collection(ServerApiAppCollection.Name)]
public class UserEventTests(ServerApiAppFixture fixture)
{
    [Fact]
    public async Task An_event_reaches_every_connection_of_the_user_on_both_replicas_and_counts_them()
    {
        using var http = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(http, "evt");
        var other = await RealtimeTestClient.CreateUserAsync(http, "bystander");
        await using var ws = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user);
        await using var hub = await SignalRTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, user, replica => replica != ws.ReplicaId);
        await using var ws2 = await RealtimeTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, user, replica => replica == hub.ReplicaId);
        await using var bystander = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, other);
        using var backend = fixture.CreateServerClient(await fixture.BackendTokenAsync(ServerScopes.UsersNotify));

        var (status, body) = await PostAsync(backend, $"/api/server/users/{user.UserId}/events",
            new { data = new { kind = "order", order = 42, status = "shipped" } });
        var overWs = await ws.WaitForAsync("event");
        var overWs2 = await ws2.WaitForAsync("event");
        var overHub = await hub.WaitForAsync("event");

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(3, body.GetProperty("connections").GetInt64());
        Assert.Equal("""{"kind":"order","order":42,"status":"shipped"}""", overWs.GetProperty("data").GetRawText());
        Assert.Equal(ServerClients.Subject(ServerApiAppFixture.BackendId), overWs.Str("from"));
        Assert.Equal(overWs.Raw(), overWs2.Raw());
        Assert.Equal(overWs.Raw(), overHub.Raw());
        Assert.Empty(await bystander.DrainAsync());
    }

    [Fact]
    public async Task An_event_for_a_user_without_connections_counts_none_and_data_must_be_an_object()
    {
        using var backend = fixture.CreateServerClient(await fixture.BackendTokenAsync(ServerScopes.UsersNotify));

        var (status, body) = await PostAsync(backend, $"/api/server/users/{Guid.NewGuid()}/events", new { data = new { ping = true } });
        var notObject = await PostAsync(backend, $"/api/server/users/{Guid.NewGuid()}/events", new { data = "text" });
        var tooLarge = await PostAsync(backend, $"/api/server/users/{Guid.NewGuid()}/events", new { data = new { blob = new string('x', 16 * 1024) } });

        Assert.Equal((HttpStatusCode.Accepted, 0L), (status, body.GetProperty("connections").GetInt64()));
        Assert.Equal(HttpStatusCode.BadRequest, notObject.Status);
        Assert.Equal((HttpStatusCode.BadRequest, ErrorCodes.DataTooLarge), (tooLarge.Status, tooLarge.Body.Str("code")));
    }
}
