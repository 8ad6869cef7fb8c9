using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;

namespace RealtimeAspire.AuthService.Accounts;

/// <summary>
/// A secret hashed with ASP.NET Core Identity's hasher (PBKDF2-HMAC-SHA512, salted, 100,000 iterations), for a user's
/// password and a server client's secret alike. An unknown owner is checked against a dummy hash made once, so that
/// it costs the same time as a wrong secret and the answer does not tell whether it exists.
/// </summary>
public abstract class SecretHasher<TOwner>(IPasswordHasher<TOwner> hasher, TOwner nobody) where TOwner : class
{
    private readonly Lazy<string> _dummyHash = new(() => hasher.HashPassword(nobody, RandomNumberGenerator.GetHexString(32)));

    public string Hash(TOwner owner, string secret) => hasher.HashPassword(owner, secret);

    public PasswordVerificationResult Verify(TOwner? owner, string secret)
    {
        if (owner is null)
        {
            hasher.VerifyHashedPassword(nobody, _dummyHash.Value, secret);
            return PasswordVerificationResult.Failed;
        }

        return hasher.VerifyHashedPassword(owner, StoredHash(owner), secret);
    }

    /// <summary>Computes the dummy hash now rather than during the first check of an unknown owner.</summary>
    public void Warm() => _ = _dummyHash.Value;

    protected abstract string StoredHash(TOwner owner);
}
