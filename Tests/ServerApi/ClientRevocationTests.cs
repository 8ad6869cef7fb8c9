using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using RealtimeAspire.AppHost;
using RealtimeAspire.Contracts;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.ServerApi;

/// <summary>An operator's clients: created from the dashboard command (secret shown once) and revoked at once, everywhere.</summary>
[Collection(ServerApiAppCollection.Name)]
public sealed class ClientRevocationTests(ServerApiAppFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_created_client_gets_tokens_until_it_is_revoked_then_its_token_is_refused_within_seconds()
    {
        var created = await fixture.App.ResourceCommands.ExecuteCommandAsync("auth-service", ServerClientCommands.Create,
            Arguments((ServerClientCommands.NameArgument, "Revocation backend"), (ServerClientCommands.ScopesArgument, ServerScopes.UsersBlock)))
            .WaitAsync(Timeout);
        Assert.True(created.Success, created.Message);
        var client = JsonDocument.Parse(created.Data!.Value).RootElement;
        var (clientId, secret) = (client.GetProperty("clientId").GetString()!, client.GetProperty("clientSecret").GetString()!);
        var token = await fixture.ClientTokenAsync(clientId, secret);
        using var server = fixture.CreateServerClient(token);
        var probe = $"/api/server/users/{Guid.NewGuid()}/block";
        Assert.Equal(HttpStatusCode.NotFound, (await server.DeleteAsync(probe).WaitAsync(Timeout)).StatusCode);

        var revoked = await fixture.App.ResourceCommands.ExecuteCommandAsync("auth-service", ServerClientCommands.Revoke,
            Arguments((ServerClientCommands.ClientIdArgument, clientId))).WaitAsync(Timeout);

        Assert.True(revoked.Success, revoked.Message);
        using var deadline = new CancellationTokenSource(Timeout);
        while ((await server.DeleteAsync(probe).WaitAsync(Timeout)).StatusCode != HttpStatusCode.Unauthorized)
        {
            Assert.False(deadline.IsCancellationRequested, "The revoked client's token was still accepted after 30 s.");
            await Task.Delay(200);
        }

        using var gateway = fixture.CreateGatewayClient();
        using var again = await gateway.PostAsync("/api/auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret,
        })).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
    }

    [Fact]
    public async Task The_operator_endpoints_need_the_operator_key_and_never_list_a_secret()
    {
        using var authService = fixture.App.CreateHttpClient("auth-service", "http");
        using var gateway = fixture.CreateGatewayClient();

        using var anonymous = await authService.PostAsJsonAsync("/internal/clients", new { name = "x", scopes = "" }).WaitAsync(Timeout);
        using var throughGateway = await gateway.GetAsync("/internal/clients").WaitAsync(Timeout);
        var listed = await fixture.App.ResourceCommands.ExecuteCommandAsync("auth-service", ServerClientCommands.Create,
            Arguments((ServerClientCommands.NameArgument, "bad scopes"), (ServerClientCommands.ScopesArgument, "rooms:everything"))).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.Forbidden, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, throughGateway.StatusCode);
        Assert.False(listed.Success);
    }

    private static InteractionInputCollection Arguments(params (string Name, string Value)[] values) =>
        new(values.Select(value => new InteractionInput { Name = value.Name, InputType = InputType.Text, Value = value.Value }).ToList());
}
