using System.Runtime.Versioning;
using System.Security.Cryptography;

namespace RealtimeAspire.AppHost.Infrastructure;

[UnsupportedOSPlatform("windows")]
internal static class LocalSecrets
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /// <summary>A password with no characters that connection strings or shells would need to escape.</summary>
    public static string NewPassword() => RandomNumberGenerator.GetString(Alphabet, 24);

    /// <summary>Reads the password kept in <paramref name="path"/>, creating it (readable by its owner only) on first use.</summary>
    public static string ReadOrCreatePassword(string path)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        var password = NewPassword();
        File.WriteAllText(path, password);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return password;
    }
}
