using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.IdentityModel.JsonWebTokens;
using RealtimeAspire.AppHost;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Auth;

/// <summary>
/// AuthService's real tokens against the validation every service uses: MessageService's rooms API through the
/// Gateway, and ServiceDefaults' AddJwtAuthentication in a probe app fed by AuthService's real JWKS (for the
/// query string and IAccessTokenValidator paths). Accepted when genuine, refused when forged, and still
/// accepted across a key rotation. (That keys survive a restart and are shared by replicas is
/// <see cref="SigningKeyStoreTests"/>' part: restarting the shared AuthService here would put the other tests at risk.)
/// </summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class TokenAcceptanceTests(RealtimeAppFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>An authenticated endpoint of another service: history of a public room nobody created (200, empty).</summary>
    private const string RoomsProbe = "/api/rooms/auth-probe/messages";

    private readonly AuthClient _auth = new(fixture.CreateGatewayClient());
    private readonly HttpClient _gateway = fixture.CreateGatewayClient();
    private JwtProbeApp _probe = null!;

    public async Task InitializeAsync()
    {
        var jwksUri = new Uri(fixture.App.GetEndpoint("auth-service", "http"), "/api/auth/.well-known/jwks.json");
        _probe = await JwtProbeApp.StartAsync(builder => builder.Configuration["Auth:JwksUri"] = jwksUri.ToString());
    }

    public async Task DisposeAsync()
    {
        _gateway.Dispose();
        await _probe.DisposeAsync();
    }

    [Fact]
    public async Task A_token_from_authservice_is_accepted_by_header_query_string_and_in_band_validation()
    {
        var (user, tokens) = await _auth.RegisterAndLoginAsync();

        var throughGateway = await GetRoomsProbeAsync(tokens.AccessToken);
        var withoutToken = await _gateway.GetAsync(RoomsProbe).WaitAsync(Timeout);
        var byHeader = await _probe.GetWithBearerAsync("/api/probe", tokens.AccessToken);
        var byQuery = await _probe.Client.GetAsync($"/ws?access_token={tokens.AccessToken}").WaitAsync(Timeout);
        var inBand = await _probe.Validator.ValidateAsync(tokens.AccessToken, CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, throughGateway);
        Assert.Equal(HttpStatusCode.Unauthorized, withoutToken.StatusCode);
        Assert.Equal("application/problem+json", withoutToken.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, byHeader.StatusCode);
        Assert.Equal($"{user.UserId}|{user.Username}", await byHeader.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, byQuery.StatusCode);
        Assert.True(inBand.IsValid, inBand.Error);
        Assert.Equal(user.Username, inBand.Principal!.Identity?.Name);
    }

    public static TheoryData<string> BadTokens => ForgedTokens.Kinds;

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_forged_token_is_refused(string kind)
    {
        var (user, tokens) = await _auth.RegisterAndLoginAsync();
        // The forgeries reuse AuthService's current kid where the kind asks for it.
        using var impostor = new TestSigningKey(new JsonWebToken(tokens.AccessToken).Kid);
        var forged = ForgedTokens.Forge(kind, impostor, user.UserId, user.Username);

        var throughGateway = await GetRoomsProbeAsync(forged);
        var response = await _probe.GetWithBearerAsync("/api/probe", forged);
        var byQuery = await _probe.Client.GetAsync($"/ws?access_token={Uri.EscapeDataString(forged)}").WaitAsync(Timeout);
        var inBand = await _probe.Validator.ValidateAsync(forged, CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.Unauthorized, throughGateway);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, byQuery.StatusCode);
        Assert.False(inBand.IsValid);
    }

    [Fact]
    public async Task After_a_key_rotation_new_tokens_use_the_new_key_and_old_tokens_stay_valid()
    {
        var (_, before) = await _auth.RegisterAndLoginAsync();
        var oldKid = new JsonWebToken(before.AccessToken).Kid;
        Assert.Equal(HttpStatusCode.OK, await GetRoomsProbeAsync(before.AccessToken));
        Assert.True((await _probe.Validator.ValidateAsync(before.AccessToken, CancellationToken.None).WaitAsync(Timeout)).IsValid);

        var rotation = await fixture.App.ResourceCommands
            .ExecuteCommandAsync("auth-service", AuthServiceCommands.RotateSigningKey).WaitAsync(Timeout);
        Assert.True(rotation.Success, rotation.Message);

        var (_, after) = await _auth.RegisterAndLoginAsync();
        var newKid = new JsonWebToken(after.AccessToken).Kid;
        Assert.NotEqual(oldKid, newKid);

        // Validators fetch the new key on the first token naming it (at most one fetch per 5 s each).
        await Eventually(async () => await GetRoomsProbeAsync(after.AccessToken) == HttpStatusCode.OK);
        await Eventually(async () => (await _probe.GetWithBearerAsync("/api/probe", after.AccessToken)).StatusCode == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, await GetRoomsProbeAsync(before.AccessToken));
        Assert.True((await _probe.Validator.ValidateAsync(after.AccessToken, CancellationToken.None).WaitAsync(Timeout)).IsValid);
        Assert.Equal(HttpStatusCode.OK, (await _probe.GetWithBearerAsync("/api/probe", before.AccessToken)).StatusCode);
        Assert.True((await _probe.Validator.ValidateAsync(before.AccessToken, CancellationToken.None).WaitAsync(Timeout)).IsValid);
    }

    [Fact]
    public async Task Rotation_over_http_needs_the_operator_key()
    {
        using var authService = fixture.App.CreateHttpClient("auth-service", "http");

        var anonymous = await authService.PostAsync("/internal/keys/rotate", null).WaitAsync(Timeout);
        using var wrongKey = new HttpRequestMessage(HttpMethod.Post, "/internal/keys/rotate") { Headers = { { "X-Operator-Key", "guess" } } };
        var guessed = await authService.SendAsync(wrongKey).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.Forbidden, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, guessed.StatusCode);
    }

    private async Task<HttpStatusCode> GetRoomsProbeAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, RoomsProbe);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await _gateway.SendAsync(request).WaitAsync(Timeout);
        return response.StatusCode;
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        while (!await condition())
        {
            await Task.Delay(250, deadline.Token);
        }
    }
}
