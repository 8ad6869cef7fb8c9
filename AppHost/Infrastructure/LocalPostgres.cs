using System.Runtime.Versioning;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace RealtimeAspire.AppHost.Infrastructure;

/// <summary>A PostgreSQL server run as a local process, with the connection string of Aspire's PostgreSQL container.</summary>
public sealed class LocalPostgresResource(string name, string command, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";
    internal const string SuperUser = "postgres";

    public EndpointReference PrimaryEndpoint => new(this, PrimaryEndpointName);

    public ParameterResource PasswordParameter { get; } = password;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={SuperUser};Password={PasswordParameter}");

    /// <summary>The same connection string, known up front, for the AppHost's own health checks and set-up.</summary>
    public required string AdminConnectionString { get; init; }
}

[UnsupportedOSPlatform("windows")]
public static class LocalPostgresBuilderExtensions
{
    /// <summary>
    /// Adds a PostgreSQL server whose cluster lives under <paramref name="dataRoot"/>; initdb runs on first start.
    /// When the AppHost is root, initdb and postgres run as <see cref="LocalBinaries.PostgresUser"/>.
    /// </summary>
    public static IResourceBuilder<LocalPostgresResource> AddLocalPostgres(
        this IDistributedApplicationBuilder builder, string name, LocalBinaries binaries, string dataRoot, int port)
    {
        Directory.CreateDirectory(dataRoot);
        var clusterDirectory = Path.Combine(dataRoot, "postgres");
        var passwordFile = Path.Combine(dataRoot, "postgres.password");

        // The cluster keeps the password it was created with, so it is kept beside it, not made anew each run.
        var password = LocalSecrets.ReadOrCreatePassword(passwordFile);
        var passwordParameter = builder.AddParameter($"{name}-password", password, secret: true);

        string[] serverArgs =
        [
            "-D", clusterDirectory,
            "-p", port.ToString(CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1",
            // No Unix socket: the default socket folder may not exist or be writable here.
            "-c", "unix_socket_directories=",
            "-c", "max_connections=200",
        ];
        var (command, args) = AsAccount(binaries.PostgresUser, binaries.Postgres, serverArgs);

        var postgres = new LocalPostgresResource(name, command, dataRoot, passwordParameter.Resource)
        {
            AdminConnectionString = $"Host=127.0.0.1;Port={port};Username={LocalPostgresResource.SuperUser};Password={password}",
        };

        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().AddNpgSql(postgres.AdminConnectionString, name: healthCheckKey);

        return builder.AddResource(postgres)
            .WithEndpoint(port: port, targetPort: port, scheme: "tcp", name: LocalPostgresResource.PrimaryEndpointName, isProxied: false)
            .WithArgs(args)
            .WithHealthCheck(healthCheckKey)
            .OnBeforeResourceStarted(async (resource, @event, cancellationToken) =>
            {
                var logger = @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(resource);
                await WaitForEarlierServerAsync(clusterDirectory, logger, cancellationToken);
                await InitializeClusterAsync(binaries, clusterDirectory, passwordFile, logger, cancellationToken);
            });
    }

    /// <summary>
    /// Adds a database of a local server with the connection string shape of Aspire's PostgreSQL databases.
    /// The database is created once the server is healthy; the resource is healthy once it accepts connections.
    /// </summary>
    public static IResourceBuilder<ConnectionStringResource> AddLocalDatabase(
        this IResourceBuilder<LocalPostgresResource> server, string name)
    {
        var builder = server.ApplicationBuilder;
        var databaseConnectionString = $"{server.Resource.AdminConnectionString};Database={name}";

        server.OnResourceReady(async (resource, _, cancellationToken) =>
        {
            await using var connection = new NpgsqlConnection(resource.AdminConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
            exists.Parameters.AddWithValue("name", name);
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                // Database names cannot be parameters; the name is a constant of the AppHost, quoted as an identifier.
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
        });

        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().AddNpgSql(databaseConnectionString, name: healthCheckKey);

        return builder.AddConnectionString(name, ReferenceExpression.Create($"{server.Resource};Database={name}"))
            .WithParentRelationship(server)
            .WithHealthCheck(healthCheckKey);
    }

    /// <summary>
    /// Waits (up to a minute) for the server of an earlier run to let go of the cluster: an AppHost stopped with Ctrl+C
    /// exits while its PostgreSQL is still shutting down, and a start right after it would find the cluster locked.
    /// </summary>
    private static async Task WaitForEarlierServerAsync(string clusterDirectory, ILogger logger, CancellationToken cancellationToken)
    {
        var pidFile = Path.Combine(clusterDirectory, "postmaster.pid");
        for (var attempt = 0; attempt < 120 && EarlierServer(pidFile) is { } pid; attempt++)
        {
            if (attempt == 0)
            {
                logger.LogInformation("Waiting for the PostgreSQL server of an earlier run (PID {Pid}) to stop", pid);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
    }

    /// <summary>The PID in the cluster's lock file when a postgres process of that PID still runs.</summary>
    private static int? EarlierServer(string pidFile)
    {
        try
        {
            if (!File.Exists(pidFile) || !int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid))
            {
                return null;
            }

            using var process = Process.GetProcessById(pid);
            return process.ProcessName == "postgres" ? pid : null;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
        {
            // No such process, or the file went away as it stopped.
            return null;
        }
    }

    private static async Task InitializeClusterAsync(
        LocalBinaries binaries, string clusterDirectory, string passwordFile, ILogger logger, CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(clusterDirectory, "PG_VERSION")))
        {
            return;
        }

        logger.LogInformation("Creating a PostgreSQL cluster in {Directory}", clusterDirectory);
        Directory.CreateDirectory(clusterDirectory);
        File.SetUnixFileMode(clusterDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (binaries.PostgresUser is { } user)
        {
            // The account PostgreSQL runs as must own its cluster and read the password file given to initdb.
            await RunAsync("chown", [$"{user}:", clusterDirectory, passwordFile], logger, cancellationToken);
            AllowTraversal(Path.GetDirectoryName(clusterDirectory)!);
        }

        var (command, args) = AsAccount(binaries.PostgresUser, binaries.InitDb,
        [
            "-D", clusterDirectory,
            "-U", LocalPostgresResource.SuperUser,
            $"--pwfile={passwordFile}",
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        ]);
        await RunAsync(command, args, logger, cancellationToken);
    }

    /// <summary>Runs a program as <paramref name="account"/> (through setpriv, which execs, so signals reach it) or as ourselves.</summary>
    private static (string Command, string[] Args) AsAccount(string? account, string program, string[] args) =>
        account is null
            ? (program, args)
            : ("setpriv", ["--reuid", account, "--regid", account, "--init-groups", "--", program, .. args]);

    /// <summary>Lets other accounts walk through the folders above the cluster (a temp folder is private by default).</summary>
    private static void AllowTraversal(string directory)
    {
        for (var current = new DirectoryInfo(directory); current is not null && current.FullName != "/"; current = current.Parent)
        {
            var mode = current.UnixFileMode;
            if (!mode.HasFlag(UnixFileMode.OtherExecute))
            {
                File.SetUnixFileMode(current.FullName, mode | UnixFileMode.OtherExecute | UnixFileMode.GroupExecute);
            }
        }
    }

    private static async Task RunAsync(string command, IEnumerable<string> args, ILogger logger, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(command, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {command}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);

        logger.LogInformation("{Command}: {Output}", command, (await output).Trim());
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} failed with exit code {process.ExitCode}: {(await errors).Trim()}");
        }
    }
}
