using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RealtimeAspire.Tests.Infrastructure;

/// <summary>Starts and stops a whole system — the real AppHost in local mode — for a test fixture.</summary>
public static class TestSystem
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    public static readonly string[] ProjectResources =
        ["auth-service", "message-service", "connection-service-1", "connection-service-2", "gateway"];

    public static readonly string[] InfrastructureResources = ["redis", "postgres", "authdb", "messagesdb"];

    /// <summary>Requests to /api/auth/* that the Gateway of a test system allows per client address and minute.</summary>
    public const int AuthRateLimitPerMinute = 1000;

    /// <summary>
    /// Starts the AppHost with its data in <paramref name="dataPath"/> and a free Gateway port (and
    /// <paramref name="settings"/>, AppHost arguments such as <c>--Gateway:Admission:MaxConnections=6</c>), lets
    /// <paramref name="configure"/> adjust resources, and waits until every resource is healthy.
    /// </summary>
    public static async Task<DistributedApplication> StartAsync(
        string dataPath, Action<IDistributedApplicationTestingBuilder>? configure = null, IEnumerable<string>? settings = null)
    {
        using var cancellation = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [
                "--Infrastructure:Mode=local",
                $"--Infrastructure:DataPath={dataPath}",
                // A free port, so a system started by hand on 8080 does not collide with the tests.
                "--Gateway:Port=0",
                // Every test signs its users in from 127.0.0.1; on a fast machine they pass the default 100 requests
                // per 10 s. The limit itself is tested from another address (GatewayHardeningTests).
                $"--Gateway:AuthRateLimit:PermitLimit={AuthRateLimitPerMinute}",
                "--Gateway:AuthRateLimit:Window=00:01:00",
                .. settings ?? [],
            ],
            cancellation.Token);

        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));

        foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
        {
            // No dashboard listens in tests. A service told to export there retries at shutdown for longer than
            // the orchestrator waits, so stopping a resource would look like a failure. A fixture that collects
            // telemetry sets the variable again in configure.
            builder.CreateResourceBuilder(project)
                .WithEnvironment(context => context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_ENDPOINT"));
        }

        configure?.Invoke(builder);

        var app = await builder.BuildAsync(cancellation.Token).WaitAsync(cancellation.Token);
        await app.StartAsync(cancellation.Token).WaitAsync(cancellation.Token);

        foreach (var resource in InfrastructureResources.Concat(ProjectResources))
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancellation.Token)
                .WaitAsync(cancellation.Token);
        }

        return app;
    }

    public static async Task StopAsync(DistributedApplication? app, string dataPath)
    {
        if (app is not null)
        {
            await app.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromMinutes(1));
        }

        try
        {
            Directory.Delete(dataPath, recursive: true);
        }
        catch (IOException)
        {
            // A process that has not quite exited may still hold a file; the temp folder is cleaned later.
        }
    }
}
