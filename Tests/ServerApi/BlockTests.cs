using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR.Client;
using RealtimeAspire.Contracts;
using RealtimeAspire.Tests.Auth;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;
using RealtimeAspire.Tests.SignalR;

namespace RealtimeAspire.Tests.ServerApi;

/// <summary>POST/DELETE /api/server/users/{userId}/block (protocol.md §6): cluster-wide, immediate, and it stops logins and refreshes.</summary>
[Collection(ServerApiAppCollection.Name)]
public sealed class BlockTests(ServerApiAppFixture fixture)
{
    private static readonly TimeSpan Timeout = RealtimeTestClient.DefaultTimeout;

    [Fact]
    public async Task Block_closes_every_websocket_and_signalr_connection_on_both_replicas_and_refuses_login_refresh_and_connect()
    {
        using var gateway = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(gateway, "alice");
        var carol = await RealtimeTestClient.CreateUserAsync(gateway, "carol");
        await using var socket = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, alice);
        await using var otherSocket = await RealtimeTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, alice, replica => replica != socket.ReplicaId);
        await using var hub = await SignalRTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, alice, replica => replica == socket.ReplicaId);
        await using var otherHub = await SignalRTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, alice, replica => replica == otherSocket.ReplicaId);
        await using var bystander = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, carol);
        using var server = fixture.CreateServerClient(await fixture.BackendTokenAsync(ServerScopes.UsersBlock));

        using var blocked = await server.PostAsJsonAsync($"/api/server/users/{alice.UserId}/block", new { reason = "abuse" }).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.NoContent, blocked.StatusCode);
        Assert.Equal(4403, await socket.WaitForCloseAsync());
        Assert.Equal(4403, await otherSocket.WaitForCloseAsync());
        await hub.Closed.WaitAsync(Timeout);
        await otherHub.Closed.WaitAsync(Timeout);
        Assert.Equal((HubConnectionState.Disconnected, HubConnectionState.Disconnected), (hub.Connection.State, otherHub.Connection.State));
        var auth = new AuthClient(gateway);
        Assert.Equal(HttpStatusCode.Forbidden, (await auth.TokenAsync(alice.Username, alice.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await auth.RefreshAsync(alice.RefreshToken)).StatusCode);
        await using var reconnect = await RealtimeTestClient.ConnectAsync(fixture.GatewayUri, alice.AccessToken, TokenPlacement.Header);
        await reconnect.ReceiveWelcomeAsync();
        await reconnect.ExpectAsync("auth_failed");
        Assert.Equal(4403, await reconnect.WaitForCloseAsync());
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => HubTestClient.ConnectAsync(fixture.GatewayUri, alice).WaitAsync(Timeout));
        await bystander.SendAsync(new { type = "ping" });
        await bystander.ExpectAsync("pong");
    }

    [Fact]
    public async Task Unblock_lets_the_user_log_in_refresh_with_the_token_it_held_and_connect_again()
    {
        using var gateway = fixture.CreateGatewayClient();
        var bob = await RealtimeTestClient.CreateUserAsync(gateway, "bob");
        using var server = fixture.CreateServerClient(await fixture.BackendTokenAsync(ServerScopes.UsersBlock));
        var auth = new AuthClient(gateway);
        using var blocked = await server.PostAsJsonAsync($"/api/server/users/{bob.UserId}/block",
            new { until = DateTimeOffset.UtcNow.AddHours(1) }).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.Forbidden, (await auth.TokenAsync(bob.Username, bob.Password)).StatusCode);

        using var unblocked = await server.DeleteAsync($"/api/server/users/{bob.UserId}/block").WaitAsync(Timeout);

        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NoContent), (blocked.StatusCode, unblocked.StatusCode));
        Assert.Equal(HttpStatusCode.OK, (await auth.TokenAsync(bob.Username, bob.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await auth.RefreshAsync(bob.RefreshToken)).StatusCode);
        await ConnectsAgainAsync(bob);
    }

    [Fact]
    public async Task A_block_until_a_time_already_past_blocks_nothing()
    {
        using var gateway = fixture.CreateGatewayClient();
        var dave = await RealtimeTestClient.CreateUserAsync(gateway, "dave");
        using var server = fixture.CreateServerClient(await fixture.BackendTokenAsync(ServerScopes.UsersBlock));

        using var blocked = await server.PostAsJsonAsync($"/api/server/users/{dave.UserId}/block",
            new { until = DateTimeOffset.UtcNow.AddMinutes(-1) }).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.NoContent, blocked.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await new AuthClient(gateway).TokenAsync(dave.Username, dave.Password)).StatusCode);
        await ConnectsAgainAsync(dave);
    }

    [Fact]
    public async Task Block_needs_users_block_and_an_existing_user()
    {
        using var gateway = fixture.CreateGatewayClient();
        var erin = await RealtimeTestClient.CreateUserAsync(gateway, "erin");
        using var reader = fixture.CreateServerClient(await fixture.ClientTokenAsync(ServerApiAppFixture.ReaderId, ServerApiAppFixture.ReaderSecret));
        using var publisher = fixture.CreateServerClient(await fixture.BackendTokenAsync(ServerScopes.RoomsPublish));
        using var blocker = fixture.CreateServerClient(await fixture.BackendTokenAsync(ServerScopes.UsersBlock));
        gateway.DefaultRequestHeaders.Authorization = new("Bearer", erin.AccessToken);
        var path = $"/api/server/users/{erin.UserId}/block";

        using var anonymous = await fixture.CreateGatewayClient().PostAsJsonAsync(path, new { }).WaitAsync(Timeout);
        using var byUser = await gateway.PostAsJsonAsync(path, new { }).WaitAsync(Timeout);
        using var byReader = await reader.PostAsJsonAsync(path, new { }).WaitAsync(Timeout);
        using var byPublisher = await publisher.DeleteAsync(path).WaitAsync(Timeout);
        using var unknown = await blocker.PostAsJsonAsync($"/api/server/users/{Guid.NewGuid()}/block", new { }).WaitAsync(Timeout);
        using var notAnId = await blocker.DeleteAsync("/api/server/users/nobody/block").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byUser.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byReader.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byPublisher.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, notAnId.StatusCode);
    }

    /// <summary>Every replica learns of the change by pub/sub, so a new connection is accepted once it has (polled, with a timeout).</summary>
    private async Task ConnectsAgainAsync(TestUser user)
    {
        using var gateway = fixture.CreateGatewayClient();
        var (token, _) = await RealtimeTestClient.LoginAsync(gateway, user.Username, user.Password);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            await using var client = await RealtimeTestClient.ConnectAsync(fixture.GatewayUri, token, TokenPlacement.Header);
            await client.ReceiveWelcomeAsync();
            var answer = await client.ReceiveAsync();
            if (answer.Str("type") == "auth_success")
            {
                return;
            }

            Assert.False(deadline.IsCancellationRequested, "The user could not connect again within 30 s.");
            await Task.Delay(200);
        }
    }
}
