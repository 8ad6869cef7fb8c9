using System.Net;
using Microsoft.Extensions.DependencyInjection;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Auth;

/// <summary>Passwords and tokens never reach AuthService's or the Gateway's logs.</summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class SecretsInLogsTests(RealtimeAppFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task No_password_or_token_appears_in_the_logs()
    {
        var auth = new AuthClient(fixture.CreateGatewayClient());
        var password = $"secret-{Guid.NewGuid():N}";
        var (user, tokens) = await auth.RegisterAndLoginAsync(password: password);
        var wrongPassword = $"wrong-{Guid.NewGuid():N}";
        Assert.Equal(HttpStatusCode.Unauthorized, (await auth.TokenAsync(user.Username, wrongPassword)).StatusCode);
        var refreshed = await auth.RefreshAsync(tokens.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await auth.RefreshAsync(tokens.RefreshToken)).StatusCode); // reuse, logged as a warning
        var tooLong = new string('x', 129);
        Assert.Equal(HttpStatusCode.BadRequest, (await auth.RegisterAsync(AuthClient.NewUsername(), tooLong)).StatusCode);

        // The registration is logged with the user id: once it is there, the lines of this test have been captured.
        var logs = await ReadLogsUntilAsync("auth-service", user.UserId);
        var gatewayLogs = string.Join('\n', await ReadAllLogsAsync("gateway"));

        foreach (var secret in new[] { password, wrongPassword, tokens.AccessToken, tokens.RefreshToken, tooLong })
        {
            Assert.DoesNotContain(logs, line => line.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(secret, gatewayLogs);
        }

        Assert.Contains(logs, line => line.Contains("refresh token was presented again", StringComparison.Ordinal));
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
        // By the model's resource, so that the logs of its running instance are found.
        var model = fixture.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == resource);
        using var timeout = new CancellationTokenSource(Timeout);
        await foreach (var batch in logs.GetAllAsync(model).WithCancellation(timeout.Token))
        {
            lines.AddRange(batch.Select(line => line.Content));
        }

        return lines;
    }
}
