using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using RealtimeAspire.AuthService.Accounts;
using RealtimeAspire.AuthService.Data;

namespace RealtimeAspire.AuthService.Clients;

/// <summary>Server clients' secrets, hashed and checked like passwords (<see cref="SecretHasher{TOwner}"/>).</summary>
public sealed class ClientSecrets(IPasswordHasher<ServerClient> hasher)
    : SecretHasher<ServerClient>(hasher, new ServerClient { Id = "", Name = "", Scopes = "", SecretHash = "" })
{
    public const int MinLength = 16;
    public const int MaxLength = 256;

    /// <summary>A new secret: 32 random bytes, base64url (43 characters).</summary>
    public static string Generate() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool IsValidSecret(string secret) => secret.Length is >= MinLength and <= MaxLength;

    protected override string StoredHash(ServerClient owner) => owner.SecretHash;
}
