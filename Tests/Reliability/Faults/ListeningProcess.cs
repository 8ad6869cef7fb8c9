using System.Diagnostics;
using System.Globalization;

namespace RealtimeAspire.Tests.Reliability;

/// <summary>
/// The process that listens on a TCP port, found through /proc (Linux): the service itself, whichever launcher
/// the orchestrator put in front of it. Killing it is <c>kill -9</c>.
/// </summary>
public static class ListeningProcess
{
    private const string Listen = "0A";

    public static Process Find(int port)
    {
        var inodes = ListeningSocketInodes(port);
        Assert.True(inodes.Count > 0, $"Nothing listens on port {port}.");
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(directory, "fd")))
                {
                    if (new FileInfo(fd).LinkTarget is { } target && inodes.Contains(target))
                    {
                        return Process.GetProcessById(pid);
                    }
                }
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException or ArgumentException)
            {
                // Another account's process, or one that just ended.
            }
        }

        throw new InvalidOperationException($"No visible process owns the listener on port {port}.");
    }

    /// <summary>Kills the process on <paramref name="port"/> with SIGKILL and waits until it is gone.</summary>
    public static async Task KillAsync(int port)
    {
        using var process = Find(port);
        process.Kill();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static HashSet<string> ListeningSocketInodes(int port)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var localPort = int.Parse(fields[1][(fields[1].IndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (localPort == port && fields[3] == Listen)
                {
                    inodes.Add($"socket:[{fields[9]}]");
                }
            }
        }

        return inodes;
    }
}
