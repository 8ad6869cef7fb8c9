namespace RealtimeAspire.AppHost.Infrastructure;

/// <summary>The locally installed programs that <c>local</c> mode runs.</summary>
public sealed record LocalBinaries(string RedisServer, string PostgresBinDirectory, string? PostgresUser)
{
    private const string InstallHint =
        "Install them with `sudo apt-get install -y redis-server postgresql` (or run ./scripts/setup.sh), "
        + "or install Docker or Podman and use Infrastructure:Mode=containers.";

    /// <summary>
    /// Finds redis-server and the PostgreSQL server binaries, or throws one exception naming everything
    /// that is missing and how to install it.
    /// </summary>
    /// <param name="redisServer">A path or a program name to look up on PATH.</param>
    /// <param name="postgresBinDirectory">A folder holding postgres and initdb; empty to search the usual places.</param>
    /// <param name="postgresUser">The account PostgreSQL runs as when the AppHost runs as root.</param>
    public static LocalBinaries Locate(string redisServer, string? postgresBinDirectory, string postgresUser)
    {
        var problems = new List<string>();

        var redisPath = FindProgram(redisServer);
        if (redisPath is null)
        {
            problems.Add($"redis-server was not found (looked for '{redisServer}').");
        }

        var postgresDirectory = string.IsNullOrWhiteSpace(postgresBinDirectory)
            ? FindPostgresBinDirectory()
            : HasPostgresServer(postgresBinDirectory) ? postgresBinDirectory : null;
        if (postgresDirectory is null)
        {
            problems.Add(string.IsNullOrWhiteSpace(postgresBinDirectory)
                ? "PostgreSQL server binaries (postgres, initdb) were not found in /usr/lib/postgresql/*/bin or on PATH."
                : $"PostgreSQL server binaries (postgres, initdb) were not found in '{postgresBinDirectory}'.");
        }

        // PostgreSQL refuses to run as root, so a root AppHost starts it as another account.
        string? runAs = null;
        if (Environment.IsPrivilegedProcess)
        {
            if (UserExists(postgresUser))
            {
                runAs = postgresUser;
            }
            else
            {
                problems.Add($"The AppHost runs as root and PostgreSQL refuses to; the account '{postgresUser}' "
                    + "it would run as does not exist (the postgresql package creates it, or set Infrastructure:PostgresUser).");
            }
        }

        if (problems.Count > 0)
        {
            throw new InfrastructureUnavailableException(
                "Local infrastructure is not available: " + string.Join(" ", problems) + " " + InstallHint);
        }

        return new LocalBinaries(redisPath!, postgresDirectory!, runAs);
    }

    public string Postgres => Path.Combine(PostgresBinDirectory, "postgres");

    public string InitDb => Path.Combine(PostgresBinDirectory, "initdb");

    internal static string? FindProgram(string nameOrPath)
    {
        if (nameOrPath.Contains('/'))
        {
            return File.Exists(nameOrPath) ? nameOrPath : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/local/bin", "/usr/bin", "/usr/sbin", "/bin"])
            .Select(directory => Path.Combine(directory, nameOrPath))
            .FirstOrDefault(File.Exists);
    }

    private static string? FindPostgresBinDirectory()
    {
        const string debianRoot = "/usr/lib/postgresql";
        var debianDirectories = Directory.Exists(debianRoot)
            ? Directory.GetDirectories(debianRoot)
                .Select(versionDirectory => (Version: int.TryParse(Path.GetFileName(versionDirectory), out var v) ? v : 0,
                    Bin: Path.Combine(versionDirectory, "bin")))
                .OrderByDescending(candidate => candidate.Version)
                .Select(candidate => candidate.Bin)
            : [];

        var fromPath = FindProgram("postgres") is { } postgres ? [Path.GetDirectoryName(postgres)!] : Array.Empty<string>();

        return debianDirectories.Concat(fromPath).FirstOrDefault(HasPostgresServer);
    }

    private static bool HasPostgresServer(string directory) =>
        File.Exists(Path.Combine(directory, "postgres")) && File.Exists(Path.Combine(directory, "initdb"));

    private static bool UserExists(string user) =>
        File.Exists("/etc/passwd") && File.ReadLines("/etc/passwd").Any(line => line.StartsWith(user + ":", StringComparison.Ordinal));
}
