using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Npgsql;
using RealtimeAspire.Tests.Auth;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RealtimeAspire.Tests.Reliability;

/// <summary>
/// Forged tokens against every door of the running system — /ws (header, query, auth frame), /hub (negotiate with
/// header and query) and the HTTP API — where TokenAcceptanceTests covers HTTP and a probe app; tokens of a user
/// the operator deleted or renamed in authdb; refresh tokens presented by racing clients. (A spent refresh token
/// presented again is AuthApiTests.Reusing_a_spent_refresh_token_is_401_and_revokes_the_whole_family.)
/// </summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class TokenAbuseTests(RealtimeAppFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static TheoryData<string> BadTokens => ForgedTokens.Kinds;

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_forged_token_is_refused_by_websocket_signalr_and_http(string kind)
    {
        using var http = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(http, "forged");
        using var impostor = new TestSigningKey(new JsonWebToken(user.AccessToken).Kid);
        var forged = ForgedTokens.Forge(kind, impostor, user.UserId, user.Username);

        var websocket = new Dictionary<string, string>();
        foreach (var placement in new[] { TokenPlacement.Header, TokenPlacement.Query, TokenPlacement.None })
        {
            await using var client = await RealtimeTestClient.ConnectAsync(fixture.GatewayUri, forged, placement);
            await client.ReceiveWelcomeAsync();
            if (placement == TokenPlacement.None)
            {
                await client.SendAsync(new { type = "auth", token = forged });
            }

            var answer = await client.ReceiveAsync();
            websocket[placement.ToString()] = $"{answer.Type()} then close {await client.WaitForCloseAsync()}";
        }

        using var byQuery = await http.PostAsync($"/hub/negotiate?negotiateVersion=1&access_token={Uri.EscapeDataString(forged)}", null).WaitAsync(Timeout);
        using var headerRequest = new HttpRequestMessage(HttpMethod.Post, "/hub/negotiate?negotiateVersion=1");
        headerRequest.Headers.Authorization = new("Bearer", forged);
        using var byHeader = await http.SendAsync(headerRequest).WaitAsync(Timeout);
        using var api = RealtimeTestKit.Authorized(HttpMethod.Get, "/api/rooms/forged/messages", user with { AccessToken = forged });
        using var apiAnswer = await http.SendAsync(api).WaitAsync(Timeout);

        new ReliabilityReport($"hostile-forged-token-{kind}", output)
            .Set("websocket", websocket)
            .Set("hubNegotiateQuery", (int)byQuery.StatusCode)
            .Set("hubNegotiateHeader", (int)byHeader.StatusCode)
            .Set("http", (int)apiAnswer.StatusCode)
            .Write();

        Assert.All(websocket.Values, outcome => Assert.Equal("auth_failed then close 4401", outcome));
        Assert.Equal(HttpStatusCode.Unauthorized, byQuery.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, byHeader.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, apiAnswer.StatusCode);
    }

    [Fact]
    public async Task A_deleted_user_cannot_refresh_or_log_in_and_keeps_its_access_token_only_until_it_expires()
    {
        using var http = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(http, "deleted");
        var (_, secondRefresh) = await RealtimeTestClient.LoginAsync(http, user.Username, user.Password);

        // There is no delete API: the operator deletes the row (its refresh tokens go with it, ON DELETE CASCADE).
        Assert.Equal(1, await ExecuteAsync("DELETE FROM users WHERE \"Id\" = @id", user.UserId));
        var tokensLeft = await ScalarAsync("SELECT count(*) FROM refresh_tokens WHERE \"UserId\" = @id", user.UserId);
        using var refresh = await http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = user.RefreshToken }).WaitAsync(Timeout);
        using var refreshSecond = await http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = secondRefresh }).WaitAsync(Timeout);
        using var guessing = LoopbackClient.From("127.0.0.4", fixture.GatewayUri);
        using var login = await guessing.PostAsJsonAsync("/api/auth/token", new { username = user.Username, password = user.Password }).WaitAsync(Timeout);
        // The documented choice (docs/auth.md): an access token stays valid until its exp, at most 15 minutes.
        using var history = RealtimeTestKit.Authorized(HttpMethod.Get, "/api/rooms/deleted-user/messages", user);
        using var stillValid = await http.SendAsync(history).WaitAsync(Timeout);

        new ReliabilityReport("hostile-deleted-user", output)
            .Set("refreshTokensLeft", tokensLeft)
            .Set("refresh", (int)refresh.StatusCode)
            .Set("refreshOtherFamily", (int)refreshSecond.StatusCode)
            .Set("login", (int)login.StatusCode)
            .Set("accessTokenUntilExpiry", (int)stillValid.StatusCode)
            .Write();

        Assert.Equal(0, tokensLeft);
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refreshSecond.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stillValid.StatusCode);
    }

    [Fact]
    public async Task A_renamed_user_gets_its_new_name_at_the_next_refresh_and_the_old_name_no_longer_logs_in()
    {
        using var http = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(http, "renamed");
        var newName = $"renamed_{Guid.NewGuid():N}"[..32];

        Assert.Equal(1, await ExecuteAsync("UPDATE users SET \"Username\" = @name WHERE \"Id\" = @id", user.UserId, newName));
        using var refresh = await http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = user.RefreshToken }).WaitAsync(Timeout);
        var pair = await refresh.Content.ReadFromJsonAsync<JsonElement>();
        var refreshed = new JsonWebToken(pair.GetProperty("accessToken").GetString());
        using var guessing = LoopbackClient.From("127.0.0.4", fixture.GatewayUri);
        using var oldName = await guessing.PostAsJsonAsync("/api/auth/token", new { username = user.Username, password = user.Password }).WaitAsync(Timeout);
        using var newNameLogin = await http.PostAsJsonAsync("/api/auth/token", new { username = newName, password = user.Password }).WaitAsync(Timeout);
        await using var connection = await RealtimeTestClient.ConnectAsync(fixture.GatewayUri, pair.GetProperty("accessToken").GetString());
        await connection.ReceiveWelcomeAsync();
        var welcome = await connection.ExpectAsync("auth_success");

        new ReliabilityReport("hostile-renamed-user", output)
            .Set("refresh", (int)refresh.StatusCode)
            .Set("nameInRefreshedToken", refreshed.GetClaim("name").Value == newName ? "new" : "old")
            .Set("loginWithOldName", (int)oldName.StatusCode)
            .Set("loginWithNewName", (int)newNameLogin.StatusCode)
            .Write();

        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        Assert.Equal((user.UserId, newName), (refreshed.Subject, refreshed.GetClaim("name").Value));
        Assert.Equal(HttpStatusCode.Unauthorized, oldName.StatusCode);
        Assert.Equal(HttpStatusCode.OK, newNameLogin.StatusCode);
        Assert.Equal((user.UserId, newName), (welcome.Str("userId"), welcome.Str("username")));
    }

    [Fact]
    public async Task Racing_refreshes_of_one_token_let_exactly_one_win_and_revoke_the_family()
    {
        const int racers = 8;
        using var http = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(http, "racing");

        var answers = await Task.WhenAll(Enumerable.Range(0, racers).Select(async _ =>
        {
            using var response = await http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = user.RefreshToken }).WaitAsync(Timeout);
            return (response.StatusCode, Body: await response.Content.ReadFromJsonAsync<JsonElement>());
        }));
        var winners = answers.Where(answer => answer.StatusCode == HttpStatusCode.OK).ToList();
        // The losers presented a token that was spent meanwhile: a copy exists, so the family is revoked.
        var next = winners.Count == 1 ? winners[0].Body.GetProperty("refreshToken").GetString() : null;
        using var winnersNext = await http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = next }).WaitAsync(Timeout);

        new ReliabilityReport("hostile-refresh-race", output)
            .Set("racers", racers)
            .Set("answers", answers.GroupBy(answer => (int)answer.StatusCode).ToDictionary(group => group.Key.ToString(), group => group.Count()))
            .Set("winnersNextRefresh", (int)winnersNext.StatusCode)
            .Write();

        Assert.Single(winners);
        Assert.All(answers.Where(answer => answer.StatusCode != HttpStatusCode.OK), answer => Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode));
        Assert.Equal(HttpStatusCode.Unauthorized, winnersNext.StatusCode);
    }

    private async Task<int> ExecuteAsync(string sql, string userId, string? name = null)
    {
        await using var connection = new NpgsqlConnection(await fixture.App.GetConnectionStringAsync("authdb"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", Guid.Parse(userId));
        if (name is not null)
        {
            command.Parameters.AddWithValue("name", name);
        }

        return await command.ExecuteNonQueryAsync().WaitAsync(Timeout);
    }

    private async Task<long> ScalarAsync(string sql, string userId)
    {
        await using var connection = new NpgsqlConnection(await fixture.App.GetConnectionStringAsync("authdb"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", Guid.Parse(userId));
        return (long)(await command.ExecuteScalarAsync().WaitAsync(Timeout))!;
    }
}
