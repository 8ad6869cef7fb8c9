namespace RealtimeAspire.AuthService.Data;

public sealed class User
{
    public Guid Id { get; set; }

    /// <summary>Follows <see cref="RealtimeAspire.Contracts.Usernames"/>; unique.</summary>
    public required string Username { get; set; }

    /// <summary>ASP.NET Core Identity's PBKDF2 hash format (salt and iteration count inside).</summary>
    public required string PasswordHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// One refresh token, stored only as the SHA-256 of its text. Every token descends from one login (its
/// family); a token is spent once it has been exchanged, and a spent token shown again revokes the family.
/// </summary>
public sealed class RefreshToken
{
    public Guid Id { get; set; }

    public required byte[] TokenHash { get; set; }

    public Guid UserId { get; set; }

    public Guid FamilyId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? SpentAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>
/// An ES256 signing key. The newest key that is not retired signs; a retired key keeps only its public part,
/// which stays in the JWKS until the tokens it signed have expired.
/// </summary>
public sealed class SigningKey
{
    /// <summary>The JWT <c>kid</c>.</summary>
    public required string Id { get; set; }

    /// <summary>SubjectPublicKeyInfo (DER).</summary>
    public required byte[] PublicKey { get; set; }

    /// <summary>PKCS#8 private key sealed with the key-encryption key (AES-256-GCM); null once retired.</summary>
    public byte[]? EncryptedPrivateKey { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? RetiredAt { get; set; }
}
