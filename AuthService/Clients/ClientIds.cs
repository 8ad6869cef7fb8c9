using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace RealtimeAspire.AuthService.Clients;

/// <summary>What a client id and name may be: an id fits a URL segment and a token's <c>sub</c> unescaped.</summary>
public static partial class ClientIds
{
    public const int MaxLength = 64;
    public const int MaxNameLength = 64;

    public static bool IsValid(string? id) => id is not null && IdPattern().IsMatch(id);

    public static bool IsValidName(string? name) => !string.IsNullOrWhiteSpace(name) && name.Length <= MaxNameLength;

    /// <summary>An id for a client the operator names: the name's letters and digits plus a random suffix, so names may repeat.</summary>
    public static string NewId(string name)
    {
        var stem = new string(name.ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_').Take(40).ToArray());
        return $"{(stem.Length == 0 ? "client" : stem)}-{RandomNumberGenerator.GetHexString(8, lowercase: true)}";
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_.-]{0,63}$")]
    private static partial Regex IdPattern();
}
