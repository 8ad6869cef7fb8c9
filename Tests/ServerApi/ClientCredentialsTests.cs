using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RealtimeAspire.Contracts;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.ServerApi;

/// <summary>The client-credentials grant at /api/auth/token (RFC 6749 §4.4) and where client tokens are refused (protocol.md §6).</summary>
[Collection(ServerApiAppCollection.Name)]
public sealed class ClientCredentialsTests(ServerApiAppFixture fixture)
{
    private static readonly TimeSpan Timeout = RealtimeTestClient.DefaultTimeout;

    [Fact]
    public async Task A_form_encoded_grant_gets_a_bearer_token_for_the_client_with_all_its_scopes()
    {
        var token = await fixture.BackendTokenAsync();
        var claims = ClaimsOf(token.AccessToken);

        Assert.Equal("Bearer", token.TokenType);
        Assert.True(token.ExpiresIn > 0);
        Assert.Equal(ServerScopes.All.Order(), token.Scope.Split(' ').Order());
        Assert.Equal(ServerClients.Subject(ServerApiAppFixture.BackendId), claims.GetProperty("sub").GetString());
        Assert.Equal(ServerApiAppFixture.BackendId, claims.GetProperty("name").GetString());
        Assert.Equal(token.Scope, claims.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task A_json_grant_and_a_requested_subset_get_exactly_that_subset()
    {
        using var gateway = fixture.CreateGatewayClient();
        using var response = await gateway.PostAsJsonAsync("/api/auth/token", new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = ServerApiAppFixture.BackendId,
            ["client_secret"] = ServerApiAppFixture.BackendSecret,
            ["scope"] = $"{ServerScopes.RoomsRead} {ServerScopes.UsersBlock}",
        }).WaitAsync(Timeout);
        var token = await response.Content.ReadFromJsonAsync<ClientToken>().WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"{ServerScopes.RoomsRead} {ServerScopes.UsersBlock}", token!.Scope);
        Assert.Equal(token.Scope, ClaimsOf(token.AccessToken).GetProperty("scope").GetString());
    }

    [Fact]
    public async Task Http_basic_client_authentication_is_accepted()
    {
        using var gateway = fixture.CreateGatewayClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ServerApiAppFixture.ReaderId}:{ServerApiAppFixture.ReaderSecret}")));
        using var response = await gateway.SendAsync(request).WaitAsync(Timeout);
        var token = await response.Content.ReadFromJsonAsync<ClientToken>().WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ServerScopes.RoomsRead, token!.Scope);
    }

    [Theory]
    [InlineData(ServerApiAppFixture.BackendId, "wrong-secret-0123456789")]
    [InlineData("no-such-client", ServerApiAppFixture.BackendSecret)]
    public async Task A_wrong_secret_or_an_unknown_client_is_401_invalid_client(string clientId, string secret)
    {
        var (status, error) = await GrantAsync(clientId, secret, scope: null);

        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), (status, error));
    }

    [Fact]
    public async Task A_scope_the_client_was_not_granted_is_400_invalid_scope()
    {
        var (status, error) = await GrantAsync(ServerApiAppFixture.ReaderId, ServerApiAppFixture.ReaderSecret,
            $"{ServerScopes.RoomsRead} {ServerScopes.RoomsPublish}");

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_scope"), (status, error));
    }

    [Fact]
    public async Task An_unknown_grant_type_is_400_unsupported_grant_type()
    {
        using var gateway = fixture.CreateGatewayClient();
        using var response = await gateway.PostAsync("/api/auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = "x",
        })).WaitAsync(Timeout);

        Assert.Equal((HttpStatusCode.BadRequest, "unsupported_grant_type"), (response.StatusCode, await ErrorOfAsync(response)));
    }

    [Fact]
    public async Task A_user_token_carries_no_scope()
    {
        using var gateway = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(gateway);

        Assert.False(ClaimsOf(user.AccessToken).TryGetProperty("scope", out _));
    }

    [Theory]
    [InlineData(TokenPlacement.Header)]
    [InlineData(TokenPlacement.Query)]
    [InlineData(TokenPlacement.None)]
    public async Task A_client_token_cannot_open_a_websocket(TokenPlacement placement)
    {
        var token = await fixture.BackendTokenAsync();
        await using var client = await RealtimeTestClient.ConnectAsync(fixture.GatewayUri, token.AccessToken, placement);
        await client.ReceiveWelcomeAsync();
        if (placement == TokenPlacement.None)
        {
            await client.SendAsync(new { type = "auth", token = token.AccessToken });
        }

        await client.ExpectAsync("auth_failed");
        Assert.Equal(4401, await client.WaitForCloseAsync());
    }

    [Fact]
    public async Task A_client_token_cannot_open_a_signalr_connection_nor_call_the_user_api()
    {
        var token = await fixture.BackendTokenAsync();
        using var server = fixture.CreateServerClient(token);
        using var gateway = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(gateway);
        gateway.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", user.AccessToken);

        using var negotiate = await server.PostAsync("/hub/negotiate?negotiateVersion=1", null).WaitAsync(Timeout);
        using var rooms = await server.GetAsync("/api/rooms/general/messages").WaitAsync(Timeout);
        using var userRooms = await gateway.GetAsync("/api/rooms/general/messages").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.Unauthorized, negotiate.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, rooms.StatusCode);
        Assert.Equal(HttpStatusCode.OK, userRooms.StatusCode);
    }

    private async Task<(HttpStatusCode Status, string? Error)> GrantAsync(string clientId, string secret, string? scope)
    {
        using var gateway = fixture.CreateGatewayClient();
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret };
        if (scope is not null)
        {
            form["scope"] = scope;
        }

        using var response = await gateway.PostAsync("/api/auth/token", new FormUrlEncodedContent(form)).WaitAsync(Timeout);
        return (response.StatusCode, await ErrorOfAsync(response));
    }

    /// <summary>The RFC 6749 §5.2 code of an error answer: its problem's <c>error</c> member, which is also its title.</summary>
    private static async Task<string?> ErrorOfAsync(HttpResponseMessage response)
    {
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>().WaitAsync(Timeout);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(problem.GetProperty("error").GetString(), problem.GetProperty("title").GetString());
        return problem.GetProperty("error").GetString();
    }

    /// <summary>A JWT's payload (the test only reads what was issued; the services check signatures).</summary>
    public static JsonElement ClaimsOf(string jwt)
    {
        var payload = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        return JsonDocument.Parse(Convert.FromBase64String(payload)).RootElement.Clone();
    }
}
