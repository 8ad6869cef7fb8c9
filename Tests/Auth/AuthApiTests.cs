using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Auth;

/// <summary>The protocol's "Accounts and tokens" table, row by row, through the Gateway.</summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class AuthApiTests(RealtimeAppFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly AuthClient _auth = new(fixture.CreateGatewayClient());

    [Fact]
    public async Task Register_answers_201_with_the_user_and_the_user_can_be_found_by_name_internally()
    {
        var username = AuthClient.NewUsername();

        var response = await _auth.RegisterAsync(username, AuthClient.Password);
        var user = await response.Content.ReadFromJsonAsync<RegisteredUser>().WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(username, user!.Username);
        Assert.True(Guid.TryParse(user.UserId, out _));
        Assert.DoesNotContain(AuthClient.Password, await response.Content.ReadAsStringAsync());

        using var authService = fixture.App.CreateHttpClient("auth-service", "http");
        var found = await authService.GetFromJsonAsync<RegisteredUser>($"/internal/users/by-name/{username}").WaitAsync(Timeout);
        var missing = await authService.GetAsync($"/internal/users/by-name/{AuthClient.NewUsername("nobody")}").WaitAsync(Timeout);
        Assert.Equal(user, found);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task The_gateway_does_not_route_internal_calls()
    {
        using var gateway = fixture.CreateGatewayClient();

        var lookup = await gateway.GetAsync("/internal/users/by-name/anyone").WaitAsync(Timeout);
        var rotate = await gateway.PostAsync("/internal/keys/rotate", null).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.NotFound, lookup.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, rotate.StatusCode);
    }

    public static TheoryData<string?, string?, string> InvalidRegistrations => new()
    {
        { "ab", "long enough password", "username" },
        { "Alice", "long enough password", "username" },
        { "with-dash", "long enough password", "username" },
        { new string('a', 33), "long enough password", "username" },
        { "valid_name\n", "long enough password", "username" },
        { null, "long enough password", "username" },
        { "valid_name", "short7!", "password" },
        { "valid_name", new string('p', 129), "password" },
        { "valid_name", null, "password" },
    };

    [Theory]
    [MemberData(nameof(InvalidRegistrations))]
    public async Task Register_refuses_invalid_input_with_a_validation_problem(string? username, string? password, string field)
    {
        var response = await _auth.RegisterAsync(username, password);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal("Invalid request", problem.RootElement.GetProperty("title").GetString());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), body);
        if (password is not null)
        {
            Assert.DoesNotContain(password, body);
        }
    }

    [Fact]
    public async Task Register_accepts_the_limits_of_the_rules()
    {
        var shortest = await _auth.RegisterAsync($"a{Guid.NewGuid():N}"[..3], "12345678");
        var longest = await _auth.RegisterAsync($"z_{Guid.NewGuid():N}"[..32], new string('p', 128));

        Assert.Equal(HttpStatusCode.Created, shortest.StatusCode);
        Assert.Equal(HttpStatusCode.Created, longest.StatusCode);
    }

    [Fact]
    public async Task A_malformed_body_is_a_400_problem()
    {
        using var gateway = fixture.CreateGatewayClient();
        using var content = new StringContent("{\"username\":", System.Text.Encoding.UTF8, "application/json");

        var response = await gateway.PostAsync("/api/auth/register", content).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Register_answers_409_when_the_username_is_taken()
    {
        var username = AuthClient.NewUsername();
        Assert.Equal(HttpStatusCode.Created, (await _auth.RegisterAsync(username, AuthClient.Password)).StatusCode);

        var again = await _auth.RegisterAsync(username, "another password");

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Username taken", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task Token_answers_a_bearer_pair_with_an_es256_access_token_carrying_the_protocol_claims()
    {
        var (user, tokens) = await _auth.RegisterAndLoginAsync();

        Assert.Equal("Bearer", tokens.TokenType);
        Assert.Equal(900, tokens.ExpiresIn);
        Assert.Equal(43, tokens.RefreshToken.Length); // 32 random bytes, base64url

        var jwt = new JsonWebToken(tokens.AccessToken);
        Assert.Equal("ES256", jwt.Alg);
        Assert.False(string.IsNullOrEmpty(jwt.Kid));
        Assert.Equal(user.UserId, jwt.Subject);
        Assert.Equal(user.Username, jwt.GetClaim("name").Value);
        Assert.Equal("realtime-aspire", jwt.Issuer);
        Assert.Equal(["realtime-aspire"], jwt.Audiences);
        Assert.Equal(TimeSpan.FromMinutes(15), jwt.ValidTo - jwt.IssuedAt);
        Assert.False(string.IsNullOrEmpty(jwt.Id));

        var jwks = await JwksAsync();
        Assert.Contains(jwt.Kid, jwks.Select(key => key.GetProperty("kid").GetString()));
    }

    [Fact]
    public async Task The_jwks_publishes_only_public_p256_keys()
    {
        var keys = await JwksAsync();

        Assert.NotEmpty(keys);
        Assert.All(keys, key =>
        {
            Assert.Equal("EC", key.GetProperty("kty").GetString());
            Assert.Equal("P-256", key.GetProperty("crv").GetString());
            Assert.Equal("ES256", key.GetProperty("alg").GetString());
            Assert.Equal("sig", key.GetProperty("use").GetString());
            Assert.False(key.TryGetProperty("d", out _));
        });
    }

    [Fact]
    public async Task Unknown_user_and_wrong_password_get_the_same_401()
    {
        var (user, _) = await _auth.RegisterAndLoginAsync();

        var wrongPassword = await _auth.TokenAsync(user.Username, "not the password");
        var unknownUser = await _auth.TokenAsync(AuthClient.NewUsername("ghost"), "not the password");

        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknownUser.StatusCode);
        Assert.Equal(wrongPassword.Content.Headers.ContentType?.ToString(), unknownUser.Content.Headers.ContentType?.ToString());
        Assert.Equal(WithoutTraceId(await wrongPassword.Content.ReadAsStringAsync()), WithoutTraceId(await unknownUser.Content.ReadAsStringAsync()));
        Assert.DoesNotContain("not the password", await wrongPassword.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Refresh_answers_a_new_pair_and_spends_the_old_refresh_token()
    {
        var (user, first) = await _auth.RegisterAndLoginAsync();

        var refreshed = await _auth.RefreshAsync(first.RefreshToken);
        var second = await refreshed.Content.ReadFromJsonAsync<TokenPair>().WaitAsync(Timeout);
        var third = await _auth.RefreshAsync(second!.RefreshToken);

        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        Assert.Equal("Bearer", second.TokenType);
        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        Assert.NotEqual(first.AccessToken, second.AccessToken);
        Assert.Equal(user.UserId, new JsonWebToken(second.AccessToken).Subject);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
    }

    [Fact]
    public async Task Reusing_a_spent_refresh_token_is_401_and_revokes_the_whole_family()
    {
        var (_, first) = await _auth.RegisterAndLoginAsync();
        var second = (await (await _auth.RefreshAsync(first.RefreshToken)).Content.ReadFromJsonAsync<TokenPair>().WaitAsync(Timeout))!;

        // An attacker replays the spent token: refused, and the legitimate holder's newer token dies with it.
        var replay = await _auth.RefreshAsync(first.RefreshToken);
        var newerAfterReplay = await _auth.RefreshAsync(second.RefreshToken);

        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, newerAfterReplay.StatusCode);
        Assert.Equal("application/problem+json", replay.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(first.RefreshToken, await replay.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Reuse_does_not_touch_another_family_of_the_same_user()
    {
        var username = AuthClient.NewUsername();
        var (_, phone) = await _auth.RegisterAndLoginAsync(username);
        var laptop = await _auth.LoginAsync(username);

        Assert.Equal(HttpStatusCode.OK, (await _auth.RefreshAsync(phone.RefreshToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _auth.RefreshAsync(phone.RefreshToken)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await _auth.RefreshAsync(laptop.RefreshToken)).StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-refresh-token")]
    [InlineData("eyJhbGciOiJFUzI1NiJ9.e30.c2ln")]
    public async Task Refresh_with_an_unknown_token_is_401_without_echoing_it(string token)
    {
        var response = await _auth.RefreshAsync(token);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (token.Length > 0)
        {
            Assert.DoesNotContain(token, body);
        }
    }

    [Fact]
    public async Task An_access_token_is_not_a_refresh_token()
    {
        var (_, tokens) = await _auth.RegisterAndLoginAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, (await _auth.RefreshAsync(tokens.AccessToken)).StatusCode);
    }

    private async Task<List<JsonElement>> JwksAsync()
    {
        using var gateway = fixture.CreateGatewayClient();
        var jwks = await gateway.GetFromJsonAsync<JsonElement>("/api/auth/.well-known/jwks.json").WaitAsync(Timeout);
        return jwks.GetProperty("keys").EnumerateArray().ToList();
    }

    private static string WithoutTraceId(string problemJson)
    {
        var problem = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(problemJson)!;
        problem.Remove("traceId");
        return JsonSerializer.Serialize(problem);
    }
}
