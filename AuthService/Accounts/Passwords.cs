using Microsoft.AspNetCore.Identity;
using RealtimeAspire.AuthService.Data;

namespace RealtimeAspire.AuthService.Accounts;

/// <summary>Users' passwords, hashed and checked by <see cref="SecretHasher{TOwner}"/>.</summary>
public sealed class Passwords(IPasswordHasher<User> hasher) : SecretHasher<User>(hasher, new User { Username = "", PasswordHash = "" })
{
    public const int MinLength = 8;
    public const int MaxLength = 128;

    public static bool IsValidPassword(string password) => password.Length is >= MinLength and <= MaxLength;

    protected override string StoredHash(User owner) => owner.PasswordHash;
}
