using System.Net.Http.Headers;
using System.Text.Json;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Connection;

/// <summary>Helpers of the ConnectionService tests: users, connections on a chosen replica, rooms.</summary>
public static class RealtimeTestKit
{
    public static readonly TimeSpan Timeout = RealtimeTestClient.DefaultTimeout;

    public static string NewRoom(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>
    /// Connects <paramref name="user"/> until the Gateway puts the connection on a replica that
    /// <paramref name="wanted"/> accepts (the Gateway balances new connections; it cannot be told where to go).
    /// </summary>
    public static async Task<RealtimeTestClient> ConnectOnReplicaAsync(Uri gateway, TestUser user, Func<string, bool> wanted)
    {
        var others = new List<RealtimeTestClient>();
        try
        {
            for (var attempt = 0; attempt < 12; attempt++)
            {
                var client = await RealtimeTestClient.ConnectAuthenticatedAsync(gateway, user);
                if (wanted(client.ReplicaId!))
                {
                    return client;
                }

                // Kept open while trying: an open connection makes the Gateway prefer the other replica.
                others.Add(client);
            }

            throw new InvalidOperationException("The Gateway never chose the wanted replica.");
        }
        finally
        {
            foreach (var other in others)
            {
                await other.DisposeAsync();
            }
        }
    }

    /// <summary>Two connections (of two users, or of one) that are on different replicas.</summary>
    public static async Task<(RealtimeTestClient First, RealtimeTestClient Second)> ConnectOnTwoReplicasAsync(
        Uri gateway, TestUser first, TestUser second)
    {
        var a = await RealtimeTestClient.ConnectAuthenticatedAsync(gateway, first);
        var b = await ConnectOnReplicaAsync(gateway, second, replica => replica != a.ReplicaId);
        return (a, b);
    }

    /// <summary>Two new users connected through the Gateway on different replicas, and a new room neither has joined.</summary>
    public static async Task<TwoReplicaChat> StartTwoReplicaChatAsync(
        RealtimeAppFixture fixture, string roomPrefix, string alicePrefix = "u", string bobPrefix = "u")
    {
        using var http = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(http, alicePrefix);
        var bob = await RealtimeTestClient.CreateUserAsync(http, bobPrefix);
        var (a, b) = await ConnectOnTwoReplicasAsync(fixture.GatewayUri, alice, bob);
        return new TwoReplicaChat(alice, bob, a, b, NewRoom(roomPrefix));
    }

    public static HttpRequestMessage Authorized(HttpMethod method, string path, TestUser user, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user.AccessToken);
        if (body is not null)
        {
            request.Content = System.Net.Http.Json.JsonContent.Create(body, options: JsonSerializerOptions.Web);
        }

        return request;
    }

    public static long Seq(this JsonElement frame) => frame.GetProperty("seq").GetInt64();

    public static string Str(this JsonElement frame, string property) => frame.GetProperty(property).GetString()!;

    public static string Type(this JsonElement frame) => frame.Str("type");
}

/// <summary>Alice's connection <see cref="A"/> and Bob's <see cref="B"/>, on different replicas, and their room.</summary>
public sealed record TwoReplicaChat(TestUser Alice, TestUser Bob, RealtimeTestClient A, RealtimeTestClient B, string Room)
    : IAsyncDisposable
{
    public async Task JoinBothAsync()
    {
        await A.JoinAsync(Room);
        await B.JoinAsync(Room);
    }

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
    }
}
