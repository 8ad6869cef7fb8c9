using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace RealtimeAspire.Tests.Auth;

/// <summary>An ES256 key of the test's own, to publish in a JWKS or to forge tokens that must be refused.</summary>
public sealed class TestSigningKey : IDisposable
{
    private readonly ECDsa _ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestSigningKey(string? keyId = null)
    {
        KeyId = keyId ?? Guid.NewGuid().ToString("N");
    }

    public string KeyId { get; }

    /// <summary>This key's public part as a JWK object.</summary>
    public object PublicJwk
    {
        get
        {
            var parameters = _ecdsa.ExportParameters(includePrivateParameters: false);
            return new
            {
                kty = "EC",
                crv = "P-256",
                use = "sig",
                alg = "ES256",
                kid = KeyId,
                x = Base64UrlEncoder.Encode(parameters.Q.X),
                y = Base64UrlEncoder.Encode(parameters.Q.Y),
            };
        }
    }

    public string Sign(TokenClaims claims) =>
        new JsonWebTokenHandler().CreateToken(claims.ToDescriptor(
            new SigningCredentials(new ECDsaSecurityKey(_ecdsa) { KeyId = KeyId }, SecurityAlgorithms.EcdsaSha256)));

    public void Dispose() => _ecdsa.Dispose();

    public static string Jwks(params TestSigningKey[] keys) =>
        JsonSerializer.Serialize(new { keys = keys.Select(key => key.PublicJwk).ToArray() });
}

/// <summary>The claims of an access token, valid by default; change one to make it bad.</summary>
public sealed record TokenClaims(
    string UserId,
    string Username,
    string Issuer = "realtime-aspire",
    string Audience = "realtime-aspire",
    DateTime? IssuedAt = null,
    DateTime? Expires = null)
{
    public static TokenClaims For(string userId, string username) => new(userId, username);

    public TokenClaims Expired() => this with
    {
        IssuedAt = DateTime.UtcNow.AddMinutes(-30),
        Expires = DateTime.UtcNow.AddMinutes(-5),
    };

    public SecurityTokenDescriptor ToDescriptor(SigningCredentials? credentials)
    {
        var issuedAt = IssuedAt ?? DateTime.UtcNow;
        return new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = issuedAt,
            NotBefore = issuedAt,
            Expires = Expires ?? issuedAt.AddMinutes(15),
            Claims = new Dictionary<string, object>
            {
                ["sub"] = UserId,
                ["name"] = Username,
                ["jti"] = Guid.NewGuid().ToString(),
            },
            SigningCredentials = credentials,
        };
    }

    /// <summary>The same claims with <c>alg:none</c> and no signature.</summary>
    public string Unsigned(string? keyId = null)
    {
        var issuedAt = IssuedAt ?? DateTime.UtcNow;
        var header = keyId is null
            ? (object)new { alg = "none", typ = "JWT" }
            : new { alg = "none", typ = "JWT", kid = keyId };
        var payload = new Dictionary<string, object>
        {
            ["sub"] = UserId,
            ["name"] = Username,
            ["iss"] = Issuer,
            ["aud"] = Audience,
            ["iat"] = new DateTimeOffset(issuedAt).ToUnixTimeSeconds(),
            ["exp"] = new DateTimeOffset(Expires ?? issuedAt.AddMinutes(15)).ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString(),
        };
        return $"{Encode(header)}.{Encode(payload)}.";
    }

    /// <summary>The same claims signed HS256 with the given bytes as the secret (the "public key as HMAC secret" confusion).</summary>
    public string SignedWithSecret(byte[] secret, string keyId) =>
        new JsonWebTokenHandler().CreateToken(ToDescriptor(
            new SigningCredentials(new SymmetricSecurityKey(secret) { KeyId = keyId }, SecurityAlgorithms.HmacSha256)));

    private static string Encode(object value) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value)));
}
