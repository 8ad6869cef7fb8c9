using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
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

        var replicaLogs = await ReadLogsUntilAsync(byFrame.ReplicaId!, "1003: binary frames are not supported");
        Assert.Contains(replicaLogs, line => line.Contains("Connection closed with 1003: binary frames are not supported", StringComparison.Ordinal));

        string[] secrets = [user.Password, user.AccessToken, user.RefreshToken, accessToken, refreshToken, content];
        foreach (var resource in RealtimeAppFixture.ProjectResources)
        {
            var lines = await ReadAllLogsAsync(resource);
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(lines, line => line.Contains(secret, StringComparison.Ordinal));
            }
        }
    }

    private async Task<List<string>> ReadLogsUntilAsync(string resource, string marker)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        while (true)
        {
            var lines = await ReadAllLogsAsync(resource);
            if (lines.Any(line => line.Contains(marker, StringComparison.Ordinal)))
            {
                return lines;
            }

            await Task.Delay(500, deadline.Token);
        }
    }

    private async Task<List<string>> ReadAllLogsAsync(string resource)
    {
        var lines = new List<string>();
        var logs = fixture.App.Services.GetRequiredService<ResourceLoggerService>();
        var model = fixture.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == resource);
        using var timeout = new CancellationTokenSource(Timeout);
        await foreach (var batch in logs.GetAllAsync(model).WithCancellation(timeout.Token))
        {
            lines.AddRange(batch.Select(line => line.Content));
        }

        return lines;
    }
}
