using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RealtimeAspire.AppHost.Infrastructure;

/// <summary>Redis and the two databases, whichever mode provides them.</summary>
public sealed record InfrastructureResources(
    InfrastructureMode Mode,
    IResourceBuilder<IResourceWithConnectionString> Redis,
    IResourceBuilder<IResourceWithConnectionString> AuthDb,
    IResourceBuilder<IResourceWithConnectionString> MessagesDb);

public static class InfrastructureExtensions
{
    /// <summary>
    /// Adds Redis, PostgreSQL and the databases <c>authdb</c> and <c>messagesdb</c> as containers or local
    /// processes, as <c>Infrastructure:Mode</c> says. Publishing always describes containers.
    /// </summary>
    /// <exception cref="InfrastructureUnavailableException">Neither mode can run here; the message says what to install.</exception>
    public static InfrastructureResources AddInfrastructure(this IDistributedApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection("Infrastructure");
        var runtime = settings["ContainerRuntime"] ?? "docker";
        var probeTimeout = TimeSpan.FromSeconds(settings.GetValue("ProbeTimeoutSeconds", 4.0));

        var requested = InfrastructureModeResolver.Parse(settings["Mode"]);
        var mode = builder.ExecutionContext.IsPublishMode
            ? InfrastructureMode.Containers
            : InfrastructureModeResolver.Resolve(requested, runtime, probeTimeout);

        if (requested == InfrastructureMode.Containers && builder.ExecutionContext.IsRunMode
            && !InfrastructureModeResolver.ContainerRuntimeAnswers(runtime, probeTimeout))
        {
            throw new InfrastructureUnavailableException(
                $"Infrastructure:Mode is 'containers' but the container runtime '{runtime}' did not answer within {probeTimeout.TotalSeconds:0} s. "
                + "Start Docker or Podman (set Infrastructure:ContainerRuntime=podman for Podman), or use Infrastructure:Mode=local.");
        }

        var resources = mode == InfrastructureMode.Containers
            ? builder.AddContainerInfrastructure()
            : builder.AddLocalInfrastructure(settings, requested);

        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("RealtimeAspire.AppHost")
                .LogInformation("Infrastructure mode: {Mode} (requested: {Requested})", resources.Mode, requested);
            return Task.CompletedTask;
        });

        return resources;
    }

    private static InfrastructureResources AddContainerInfrastructure(this IDistributedApplicationBuilder builder)
    {
        IResourceBuilder<IResourceWithConnectionString> redis = RedisTopology(builder.Configuration.GetSection("Infrastructure")) is { } cluster
            ? builder.AddContainerRedisCluster("redis", cluster)
            : builder.AddRedis("redis").WithDataVolume().WithAppendOnlyFile();

        // The volume keeps the password it was created with; Aspire's generated one would be new in every run.
        var password = builder.ExecutionContext.IsRunMode
            ? builder.AddDataFolderSecret("postgres-password", Path.Combine("containers", "postgres-password"))
            : null;
        var postgres = builder.AddPostgres("postgres", password: password)
            .WithDataVolume();

        return new InfrastructureResources(
            InfrastructureMode.Containers,
            redis,
            postgres.AddDatabase("authdb"),
            postgres.AddDatabase("messagesdb"));
    }

    /// <summary>
    /// Turns on Redis's append-only file, so a kill of Redis loses no acked message. Aspire's Redis container
    /// runs one shell command line; the flags are appended to it.
    /// </summary>
    private static IResourceBuilder<RedisResource> WithAppendOnlyFile(this IResourceBuilder<RedisResource> redis) =>
        redis.WithArgs(context =>
        {
            var commandLine = context.Args.OfType<string>()
                .SingleOrDefault(arg => arg.StartsWith("redis-server", StringComparison.Ordinal))
                ?? throw new InvalidOperationException("Aspire's Redis container no longer starts with a redis-server command line.");

            context.Args[context.Args.IndexOf(commandLine)] = commandLine + " --appendonly yes --appendfsync everysec";
        });

    private static InfrastructureResources AddLocalInfrastructure(
        this IDistributedApplicationBuilder builder, IConfigurationSection settings, InfrastructureMode requested)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new InfrastructureUnavailableException(
                "Local mode runs redis-server and PostgreSQL as Linux or macOS processes; on Windows use Infrastructure:Mode=containers.");
        }

        LocalBinaries binaries;
        try
        {
            binaries = LocalBinaries.Locate(
                settings["RedisServer"] ?? "redis-server",
                settings["PostgresBinDirectory"],
                settings["PostgresUser"] ?? "postgres");
        }
        catch (InfrastructureUnavailableException e) when (requested == InfrastructureMode.Auto)
        {
            throw new InfrastructureUnavailableException(
                $"No container runtime answered, so local mode was chosen. {e.Message}");
        }

        var dataRoot = builder.DataRoot();

        IResourceBuilder<IResourceWithConnectionString> redis = RedisTopology(settings) is { } cluster
            ? builder.AddLocalRedisCluster("redis", binaries, Path.Combine(dataRoot, "redis-cluster"), cluster)
            : builder.AddLocalRedis("redis", binaries.RedisServer, Path.Combine(dataRoot, "redis"),
                FreePort.OrConfigured(settings.GetValue<int?>("RedisPort")));

        var postgres = builder.AddLocalPostgres("postgres", binaries, dataRoot,
            FreePort.OrConfigured(settings.GetValue<int?>("PostgresPort")));

        return new InfrastructureResources(
            InfrastructureMode.Local,
            redis,
            postgres.AddLocalDatabase("authdb"),
            postgres.AddLocalDatabase("messagesdb"));
    }

    /// <summary>
    /// <c>Infrastructure:Redis</c>: <c>single</c> (the default) or <c>cluster</c>, whose shape is
    /// <c>Infrastructure:RedisCluster:Masters</c> (3) and <c>:ReplicasPerMaster</c> (1). Null for a single server.
    /// </summary>
    private static RedisClusterShape? RedisTopology(IConfigurationSection settings) =>
        (settings["Redis"] ?? "single").ToLowerInvariant() switch
        {
            "single" => null,
            "cluster" => new RedisClusterShape(
                settings.GetValue("RedisCluster:Masters", 3), settings.GetValue("RedisCluster:ReplicasPerMaster", 1)) switch
            {
                { Masters: >= 3, ReplicasPerMaster: >= 0 } shape => shape,
                _ => throw new InfrastructureUnavailableException("Infrastructure:RedisCluster:Masters must be at least 3 (Redis Cluster's minimum)."),
            },
            var other => throw new InfrastructureUnavailableException($"Infrastructure:Redis must be single or cluster, not '{other}'."),
        };
}
