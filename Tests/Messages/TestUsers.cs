using System.Net.Http.Headers;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Messages;

/// <summary>A registered user (real tokens from AuthService) with a Gateway client that sends the access token.</summary>
public sealed record ApiUser(string UserId, string Username, string AccessToken, HttpClient Client) : IDisposable
{
    public void Dispose() => Client.Dispose();
}

public static class TestUsers
{
    /// <summary>Registers a fresh user and signs in, both through the Gateway like a client.</summary>
    public static async Task<ApiUser> RegisterAsync(RealtimeAppFixture fixture)
    {
        using var anonymous = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(anonymous, "m").WaitAsync(MessagesTestKit.Timeout);

        var client = fixture.CreateGatewayClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", user.AccessToken);
        return new ApiUser(user.UserId, user.Username, user.AccessToken, client);
    }

    public static TestUser AsTestUser(this ApiUser user) => new(user.UserId, user.Username, "", user.AccessToken, "");
}
