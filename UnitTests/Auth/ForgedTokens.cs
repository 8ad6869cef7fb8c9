using System.Text;

namespace RealtimeAspire.Tests.Auth;

/// <summary>Bad tokens of every kind the protocol names, forged with keys of the test's own.</summary>
/// <remarks>Shared by the unit tests of the validation and the integration tests against the real services.</remarks>
public static class ForgedTokens
{
    public static TheoryData<string> Kinds => new()
    {
        "alg-none", "alg-none-with-published-kid", "other-key", "other-key-with-published-kid", "hs256-with-public-key",
        "other-issuer", "other-audience", "expired", "garbage",
    };

    public static string Forge(string kind, TestSigningKey published, string userId = "user-x", string username = "mallory")
    {
        var claims = TokenClaims.For(userId, username);
        using var other = new TestSigningKey();
        using var otherWithPublishedKid = new TestSigningKey(published.KeyId);
        return kind switch
        {
            "alg-none" => claims.Unsigned(),
            "alg-none-with-published-kid" => claims.Unsigned(published.KeyId),
            "other-key" => other.Sign(claims),
            "other-key-with-published-kid" => otherWithPublishedKid.Sign(claims),
            "hs256-with-public-key" => claims.SignedWithSecret(
                Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(published.PublicJwk)), published.KeyId),
            "other-issuer" => published.Sign(claims with { Issuer = "someone-else" }),
            "other-audience" => published.Sign(claims with { Audience = "another-app" }),
            "expired" => published.Sign(claims.Expired()),
            "garbage" => "not-a-jwt",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }
}
