using System.Net;
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
        var logs = await fixture.App.ReadLogsUntilAsync("auth-service", user.UserId, Timeout);
        var gatewayLogs = string.Join('\n', await fixture.App.ReadAllLogsAsync("gateway", Timeout));

        foreach (var secret in new[] { password, wrongPassword, tokens.AccessToken, tokens.RefreshToken, tooLong })
        {
            Assert.DoesNotContain(logs, line => line.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(secret, gatewayLogs);
        }

        Assert.Contains(logs, line => line.Contains("refresh token was presented again", StringComparison.Ordinal));
    }
}
