using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Primitives;
using RealtimeAspire.AuthService;
using RealtimeAspire.AuthService.Clients;
using RealtimeAspire.AuthService.Data;
using RealtimeAspire.Contracts;

namespace RealtimeAspire.Tests.Auth;

/// <summary>The client-credentials grant's parts that need no system: scopes granted, request parsed, secrets hashed.</summary>
public sealed class ClientCredentialsGrantTests
{
    private const string Allowed = $"{ServerScopes.RoomsPublish} {ServerScopes.RoomsRead}";

    [Theory]
    [InlineData(null, Allowed)]
    [InlineData("", Allowed)]
    [InlineData("  ", Allowed)]
    [InlineData(ServerScopes.RoomsRead, ServerScopes.RoomsRead)]
    [InlineData("rooms:read  rooms:read rooms:publish", "rooms:read rooms:publish")]
    [InlineData("rooms:read users:block", null)]
    [InlineData("ROOMS:READ", null)]
    public void A_token_gets_what_it_asks_for_if_the_client_has_all_of_it(string? requested, string? granted) =>
        Assert.Equal(granted, ClientScopes.Grant(requested, Allowed));

    [Fact]
    public void Stored_scopes_are_known_distinct_and_in_a_fixed_order()
    {
        Assert.Equal("rooms:publish rooms:read", ClientScopes.Normalize("rooms:read rooms:publish rooms:read"));
        Assert.Equal(["nope"], ClientScopes.Unknown("rooms:read nope"));
    }

    [Fact]
    public void A_form_body_is_read_by_the_rfc_names()
    {
        var form = new FormCollection(new Dictionary<string, StringValues>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "backend", ["client_secret"] = "s3cret", ["scope"] = "rooms:read",
        });

        Assert.Equal(new TokenRequest(null, null, "client_credentials", "backend", "s3cret", "rooms:read"), TokenRequest.FromForm(form));
    }

    [Fact]
    public void Http_basic_credentials_are_form_decoded_and_the_body_wins()
    {
        var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("my%3Aclient:p%40ss+word"));

        var fromHeader = new TokenRequest(GrantType: "client_credentials").WithBasicCredentials(basic);
        var fromBody = new TokenRequest(ClientId: "body", ClientSecret: "body-secret").WithBasicCredentials(basic);
        var garbage = new TokenRequest().WithBasicCredentials("Basic !!!");

        Assert.Equal(("my:client", "p@ss word"), (fromHeader.ClientId, fromHeader.ClientSecret));
        Assert.Equal(("body", "body-secret"), (fromBody.ClientId, fromBody.ClientSecret));
        Assert.Equal(new TokenRequest(), garbage);
    }

    [Fact]
    public void A_secret_is_hashed_like_a_password_and_only_the_right_one_verifies()
    {
        var secrets = new ClientSecrets(new PasswordHasher<ServerClient>());
        var client = new ServerClient { Id = "backend", Name = "backend", Scopes = "", SecretHash = "" };
        var secret = ClientSecrets.Generate();
        client.SecretHash = secrets.Hash(client, secret);

        Assert.Equal(43, secret.Length);
        Assert.DoesNotContain(secret, client.SecretHash);
        Assert.NotEqual(client.SecretHash, secrets.Hash(client, secret));
        Assert.Equal(PasswordVerificationResult.Success, secrets.Verify(client, secret));
        Assert.Equal(PasswordVerificationResult.Failed, secrets.Verify(client, secret + "x"));
        Assert.Equal(PasswordVerificationResult.Failed, secrets.Verify(null, secret));
    }

    [Theory]
    [InlineData("backend", "0123456789abcdef", "rooms:read", null, true)]
    [InlineData("Backend", "0123456789abcdef", "rooms:read", null, false)]
    [InlineData("backend", "short", "rooms:read", null, false)]
    [InlineData("backend", "0123456789abcdef", "rooms:read root", null, false)]
    [InlineData("backend", "0123456789abcdef", "", "A backend", true)]
    public void A_declared_client_is_checked_before_it_is_stored(string id, string secret, string scopes, string? name, bool valid) =>
        Assert.Equal(valid, new DeclaredClient { Id = id, Secret = secret, Scopes = scopes, Name = name }.Problem(0) is null);
}
