using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using RealtimeAspire.AuthService.Data;

namespace RealtimeAspire.AuthService.Accounts;

/// <summary>Password hashing with ASP.NET Core Identity's hasher (PBKDF2-HMAC-SHA512, salted, 100,000 iterations).</summary>
public sealed class Passwords(IPasswordHasher<User> hasher)
{
    public const int MinLength = 8;
    public const int MaxLength = 128;

    private static readonly User Nobody = new() { Username = "", PasswordHash = "" };

    // Checked against when the user does not exist, so that an unknown user costs the same time as a wrong password.
    private readonly Lazy<string> _dummyHash = new(() => hasher.HashPassword(Nobody, RandomNumberGenerator.GetHexString(32)));

    public static bool IsValidPassword(string password) => password.Length is >= MinLength and <= MaxLength;

    public string Hash(User user, string password) => hasher.HashPassword(user, password);

    public PasswordVerificationResult Verify(User? user, string password)
    {
        if (user is null)
        {
            hasher.VerifyHashedPassword(Nobody, _dummyHash.Value, password);
            return PasswordVerificationResult.Failed;
        }

        return hasher.VerifyHashedPassword(user, user.PasswordHash, password);
    }

    /// <summary>Computes the dummy hash now rather than during the first login for an unknown user.</summary>
    public void Warm() => _ = _dummyHash.Value;
}
