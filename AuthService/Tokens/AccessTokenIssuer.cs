using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using RealtimeAspire.AuthService.Data;

namespace RealtimeAspire.AuthService.Tokens;

/// <summary>
/// Signs access tokens: ES256 with the current key's <c>kid</c>; claims sub, name, iss, aud, exp, iat, nbf, jti, and for
/// a server client its granted <c>scope</c> (a user's token never carries one).
/// </summary>
public sealed class AccessTokenIssuer(
    SigningKeyStore signingKeys,
    IOptions<AuthOptions> options,
    IOptions<JwtAuthenticationOptions> jwtOptions,
    TimeProvider timeProvider)
{
    private static readonly JsonWebTokenHandler Handler = new();

    public TimeSpan Lifetime => options.Value.AccessTokenLifetime;

    public Task<string> IssueAsync(User user, CancellationToken cancellationToken) =>
        IssueAsync(user.Id.ToString(), user.Username, scope: null, cancellationToken);

    public Task<string> IssueForClientAsync(ServerClient client, string scope, CancellationToken cancellationToken) =>
        IssueAsync(ServerClients.Subject(client.Id), client.Name, scope, cancellationToken);

    private async Task<string> IssueAsync(string subject, string name, string? scope, CancellationToken cancellationToken)
    {
        var credentials = await signingKeys.GetSigningCredentialsAsync(cancellationToken);
        var now = timeProvider.GetUtcNow().UtcDateTime;
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = jwtOptions.Value.Issuer,
            Audience = jwtOptions.Value.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            SigningCredentials = credentials,
            Claims = Claims(subject, name, scope),
        });
    }

    private static Dictionary<string, object> Claims(string subject, string name, string? scope)
    {
        var claims = new Dictionary<string, object>
        {
            [AccessTokenClaims.UserId] = subject,
            [AccessTokenClaims.Username] = name,
            [AccessTokenClaims.TokenId] = Guid.CreateVersion7().ToString(),
        };
        if (scope is not null)
        {
            claims[AccessTokenClaims.Scope] = scope;
        }

        return claims;
    }
}
