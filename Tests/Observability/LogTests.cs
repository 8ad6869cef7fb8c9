using System.Net.WebSockets;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Observability;

/// <summary>What the services log during auth and WebSocket traffic: closes that were not normal, never a secret.</summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class LogTests(RealtimeAppFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task No_token_password_or_message_content_is_logged_and_an_abnormal_close_is()
    {
        using var gateway = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(gateway, "logs");
        var (accessToken, refreshToken) = await RealtimeTestClient.LoginAsync(gateway, user.Username, user.Password);
        var room = RealtimeTestKit.NewRoom("logs");
        var content = $"private-content-{Guid.NewGuid():N}";

        // The token in each place a client may put it: the upgrade's header, its query string, and an auth frame.
        await using (var byHeader = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user).WaitAsync(Timeout))
        {
            await byHeader.JoinAsync(room).WaitAsync(Timeout);
            await byHeader.SendMessageAsync(room, content).WaitAsync(Timeout);
        }

        await using (var byQuery = await RealtimeTestClient.ConnectAsync(fixture.GatewayUri, accessToken, TokenPlacement.Query).WaitAsync(Timeout))
        {
            await byQuery.ReceiveWelcomeAsync().WaitAsync(Timeout);
            await byQuery.ExpectAsync("auth_success").WaitAsync(Timeout);
        }

        await using var byFrame = await RealtimeTestClient.ConnectAsync(fixture.GatewayUri).WaitAsync(Timeout);
        await byFrame.ReceiveWelcomeAsync().WaitAsync(Timeout);
        await byFrame.SendAsync(new { type = "auth", token = accessToken });
        await byFrame.ExpectAsync("auth_success").WaitAsync(Timeout);
        // A binary frame is a protocol violation: the server closes with 1003, which must be logged with its reason.
        await byFrame.SendBytesAsync([1, 2, 3], WebSocketMessageType.Binary);
        Assert.Equal(1003, await byFrame.WaitForCloseAsync(Timeout));

        var replicaLogs = await fixture.App.ReadLogsUntilAsync(byFrame.ReplicaId!, "1003: binary frames are not supported", Timeout);
        Assert.Contains(replicaLogs, line => line.Contains("Connection closed with 1003: binary frames are not supported", StringComparison.Ordinal));

        string[] secrets = [user.Password, user.AccessToken, user.RefreshToken, accessToken, refreshToken, content];
        foreach (var resource in RealtimeAppFixture.ProjectResources)
        {
            var lines = await fixture.App.ReadAllLogsAsync(resource, Timeout);
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(lines, line => line.Contains(secret, StringComparison.Ordinal));
            }
        }
    }
}
