using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using RealtimeAspire.AuthService.Data;

namespace RealtimeAspire.AuthService.Tokens;

/// <summary>Signs access tokens: ES256 with the current key's <c>kid</c>; claims sub, name, iss, aud, exp, iat, nbf, jti.</summary>
public sealed class AccessTokenIssuer(
    SigningKeyStore signingKeys,
    IOptions<AuthOptions> options,
    IOptions<JwtAuthenticationOptions> jwtOptions,
    TimeProvider timeProvider)
{
    private static readonly JsonWebTokenHandler Handler = new();

    public TimeSpan Lifetime => options.Value.AccessTokenLifetime;

    public async Task<string> IssueAsync(User user, CancellationToken cancellationToken)
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
            Claims = new Dictionary<string, object>
            {
                [AccessTokenClaims.UserId] = user.Id.ToString(),
                [AccessTokenClaims.Username] = user.Username,
                [AccessTokenClaims.TokenId] = Guid.CreateVersion7().ToString(),
            },
        });
    }
}
