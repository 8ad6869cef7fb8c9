using System.Net.WebSockets;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Connection;

[Collection(RealtimeAppCollection.Name)]
public sealed class AuthenticationTests(RealtimeAppFixture fixture)
{
    [Theory]
    [InlineData(TokenPlacement.Header)]
    [InlineData(TokenPlacement.Query)]
    [InlineData(TokenPlacement.None)]
    public async Task Welcome_comes_first_then_auth_success_for_each_way_of_authenticating(TokenPlacement placement)
    {
        using var http = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(http);
        await using var client = await RealtimeTestClient.ConnectAsync(fixture.GatewayUri, user.AccessToken, placement);

        var welcome = await client.ReceiveWelcomeAsync();
        if (placement == TokenPlacement.None)
        {
            await client.SendAsync(new { type = "auth", token = user.AccessToken });
        }

        var success = await client.ExpectAsync("auth_success");

        Assert.Equal(30_000, welcome.GetProperty("heartbeatIntervalMs").GetInt32());
        Assert.Equal("realtime.v1", welcome.Str("protocol"));
        Assert.False(string.IsNullOrEmpty(client.ConnectionId));
        Assert.Equal((user.UserId, user.Username, client.ConnectionId), (success.Str("userId"), success.Str("username"), success.Str("connectionId")));
    }

    [Fact]
    public async Task The_realtime_v1_subprotocol_is_offered_when_asked_for()
    {
        await using var asking = await RealtimeTestClient.ConnectAsync(fixture.GatewayUri, subprotocol: "realtime.v1");
        await using var notAsking = await RealtimeTestClient.ConnectAsync(fixture.GatewayUri);

        Assert.Equal("realtime.v1", asking.Socket.SubProtocol);
        Assert.Null(notAsking.Socket.SubProtocol);
        await asking.ReceiveWelcomeAsync();
    }

    [Fact]
    public async Task Before_authentication_only_auth_and_ping_are_answered()
    {
        await using var client = await RealtimeTestClient.ConnectAsync(fixture.GatewayUri);
        await client.ReceiveWelcomeAsync();

        await client.SendAsync(new { type = "ping" });
        var pong = await client.ExpectAsync("pong");
        foreach (var frame in new object[]
                 {
                     new { type = "join", room = "general" },
                     new { type = "leave", room = "general" },
                     new { type = "message", room = "general", content = "hi", id = "m1" },
                     new { type = "typing", room = "general" },
                     new { type = "presence", room = "general" },
                 })
        {
            await client.SendAsync(frame);
            var error = await client.ExpectAsync("error");
            Assert.Equal("not_authenticated", error.Str("code"));
        }

        Assert.True(DateTimeOffset.TryParse(pong.Str("ts"), out _));
        Assert.Equal(WebSocketState.Open, client.Socket.State);
    }

    [Theory]
    [InlineData(TokenPlacement.Header)]
    [InlineData(TokenPlacement.Query)]
    [InlineData(TokenPlacement.None)]
    public async Task A_bad_token_gets_auth_failed_then_close_4401(TokenPlacement placement)
    {
        const string forged = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4IiwibmFtZSI6IngifQ.";
        await using var client = await RealtimeTestClient.ConnectAsync(fixture.GatewayUri, forged, placement);
        await client.ReceiveWelcomeAsync();
        if (placement == TokenPlacement.None)
        {
            await client.SendAsync(new { type = "auth", token = forged });
        }

        var failed = await client.ExpectAsync("auth_failed");

        Assert.False(string.IsNullOrEmpty(failed.Str("message")));
        Assert.DoesNotContain(forged, failed.ToString());
        Assert.Equal(4401, await client.WaitForCloseAsync());
    }

    [Fact]
    public async Task No_authentication_within_10_seconds_closes_with_4408()
    {
        await using var client = await RealtimeTestClient.ConnectAsync(fixture.GatewayUri);
        await client.ReceiveWelcomeAsync();

        Assert.Equal(4408, await client.WaitForCloseAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Auth_again_with_a_fresh_token_refreshes_and_with_another_users_token_fails()
    {
        using var http = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(http);
        var other = await RealtimeTestClient.CreateUserAsync(http);
        await using var client = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user);
        var (fresh, _) = await RealtimeTestClient.LoginAsync(http, user.Username, user.Password);

        await client.SendAsync(new { type = "auth", token = fresh });
        var refreshed = await client.ExpectAsync("auth_success");
        await client.SendAsync(new { type = "auth", token = other.AccessToken });
        var refused = await client.ExpectAsync("auth_failed");

        Assert.Equal(user.UserId, refreshed.Str("userId"));
        Assert.Contains("another user", refused.Str("message"));
        Assert.Equal(4401, await client.WaitForCloseAsync());
    }
}
