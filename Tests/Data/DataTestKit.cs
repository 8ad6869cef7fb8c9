using System.Net.Http.Json;
using System.Text.Json;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;
using RealtimeAspire.Tests.SignalR;

namespace RealtimeAspire.Tests.Data;

/// <summary>Alice on SignalR and Bob on a WebSocket of the other replica, both joined to <see cref="Room"/>.</summary>
public sealed record HubAndSocket(TestUser Alice, TestUser Bob, HubTestClient Hub, RealtimeTestClient Socket, string Room) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await Hub.DisposeAsync();
        await Socket.DisposeAsync();
    }
}

public static class DataTestKit
{
    public static async Task<HubAndSocket> StartHubAndSocketAsync(RealtimeAppFixture fixture, string roomPrefix)
    {
        using var http = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(http, "alice");
        var bob = await RealtimeTestClient.CreateUserAsync(http, "bob");
        var hub = await HubTestClient.ConnectAsync(fixture.GatewayUri, alice);
        var socket = await RealtimeTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, bob, replica => replica != hub.ReplicaId);
        var chat = new HubAndSocket(alice, bob, hub, socket, RealtimeTestKit.NewRoom(roomPrefix));
        await hub.JoinAsync(chat.Room);
        await socket.JoinAsync(chat.Room);
        return chat;
    }

    /// <summary>The room's history items as the Gateway returns them, oldest first.</summary>
    public static async Task<List<JsonElement>> HistoryAsync(RealtimeAppFixture fixture, TestUser user, string room)
    {
        using var http = fixture.CreateGatewayClient();
        using var request = RealtimeTestKit.Authorized(HttpMethod.Get, $"/api/rooms/{room}/messages?after=0&limit=200", user);
        using var timeout = new CancellationTokenSource(RealtimeTestKit.Timeout);
        using var response = await http.SendAsync(request, timeout.Token);
        response.EnsureSuccessStatusCode();
        var page = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
        return [.. page.GetProperty("messages").EnumerateArray()];
    }
}
