using System.Security.Cryptography;

namespace RealtimeAspire.AppHost.Infrastructure;

internal static class LocalSecrets
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /// <summary>A password with no characters that connection strings or shells would need to escape.</summary>
    public static string NewPassword(int length = 24) => RandomNumberGenerator.GetString(Alphabet, length);

    /// <summary>Reads the password kept in <paramref name="path"/>, creating it (readable by its owner only) on first use.</summary>
    public static string ReadOrCreatePassword(string path) => ReadOrCreate(path, () => NewPassword());

    /// <summary>
    /// Reads the secret kept in <paramref name="path"/>; on first use writes <paramref name="create"/>'s value there,
    /// readable by its owner only. Of two runs creating it at once, the first file written wins and both read it.
    /// </summary>
    public static string ReadOrCreate(string path, Func<string> create)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var draft = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(draft, create());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(draft, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        try
        {
            File.Move(draft, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(draft);
        }

        return File.ReadAllText(path).Trim();
    }
}
