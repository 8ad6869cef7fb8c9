using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using RealtimeAspire.AuthService.Data;

namespace RealtimeAspire.AuthService.Clients;

/// <summary>
/// Client secrets, hashed like passwords (ASP.NET Core Identity's PBKDF2 hasher); an unknown client is checked against
/// a dummy hash, so the answer's timing does not tell whether a client id exists.
/// </summary>
public sealed class ClientSecrets(IPasswordHasher<ServerClient> hasher)
{
    public const int MinLength = 16;
    public const int MaxLength = 256;

    private static readonly ServerClient Nobody = new() { Id = "", Name = "", Scopes = "", SecretHash = "" };

    private readonly Lazy<string> _dummyHash = new(() => hasher.HashPassword(Nobody, RandomNumberGenerator.GetHexString(32)));

    /// <summary>A new secret: 32 random bytes, base64url (43 characters).</summary>
    public static string Generate() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static bool IsValidSecret(string secret) => secret.Length is >= MinLength and <= MaxLength;

    public string Hash(ServerClient client, string secret) => hasher.HashPassword(client, secret);

    public PasswordVerificationResult Verify(ServerClient? client, string secret)
    {
        if (client is null)
        {
            hasher.VerifyHashedPassword(Nobody, _dummyHash.Value, secret);
            return PasswordVerificationResult.Failed;
        }

        return hasher.VerifyHashedPassword(client, client.SecretHash, secret);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
