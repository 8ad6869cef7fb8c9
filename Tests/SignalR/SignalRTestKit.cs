using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.SignalR;

public static class SignalRTestKit
{
    /// <summary>
    /// Connects until the Gateway puts the hub connection on a replica that <paramref name="wanted"/> accepts
    /// (the Gateway balances new clients; it cannot be told where to go).
    /// </summary>
    public static async Task<HubTestClient> ConnectOnReplicaAsync(
        Uri gateway, TestUser user, Func<string, bool> wanted, HttpTransportType transport = HttpTransportType.WebSockets,
        bool keepCookies = true)
    {
        var others = new List<HubTestClient>();
        try
        {
            for (var attempt = 0; attempt < 12; attempt++)
            {
                var client = await HubTestClient.ConnectAsync(gateway, user, transport, keepCookies: keepCookies);
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

    /// <summary>What the same message looks like to every client: its frame exactly as the server wrote it.</summary>
    public static string Raw(this JsonElement frame) => frame.GetRawText();
}
