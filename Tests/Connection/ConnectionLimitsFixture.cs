using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Connection;

/// <summary>
/// A system of its own with short timings, for the tests that wait on heartbeats, token expiry, leases and a full
/// outbound queue, or that stop a replica: a 5 s heartbeat, 20 s access tokens, a 256-frame outbound queue, no
/// practical rate limit, a recent stream of about 10 messages, and 3 s leases renewed every 0.5 s.
/// </summary>
public sealed class ConnectionLimitsFixture : IAsyncLifetime
{
    public const int HeartbeatIntervalMs = 5_000;
    public static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromSeconds(20);

    private static readonly Dictionary<string, string> ReplicaSettings = new()
    {
        ["Realtime__HeartbeatIntervalMs"] = HeartbeatIntervalMs.ToString(),
        ["Realtime__OutboundQueueCapacity"] = "256",
        ["Realtime__RateLimitMessages"] = "1000000",
        ["Realtime__RecentMessages"] = "10",
        ["Realtime__LeaseMs"] = "3000",
        ["Realtime__LeaseRefreshMs"] = "500",
        ["Realtime__CloseTimeoutMs"] = "30000",
    };

    private readonly string _dataPath = Directory.CreateTempSubdirectory("realtime-aspire-limits-").FullName;

    public DistributedApplication App { get; private set; } = null!;

    public Uri GatewayUri => App.GetEndpoint("gateway", "http");

    public HttpClient CreateGatewayClient() => new() { BaseAddress = GatewayUri, Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync()
    {
        using var cancellation = new CancellationTokenSource(RealtimeAppFixture.StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            ["--Infrastructure:Mode=local", $"--Infrastructure:DataPath={_dataPath}", "--Gateway:Port=0"],
            cancellation.Token);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));

        foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
        {
            var resource = builder.CreateResourceBuilder(project);
            if (project.Name.StartsWith("connection-service-", StringComparison.Ordinal))
            {
                foreach (var (name, value) in ReplicaSettings)
                {
                    resource.WithEnvironment(name, value);
                }
            }
            else if (project.Name == "auth-service")
            {
                resource.WithEnvironment("Auth__AccessTokenLifetime", AccessTokenLifetime.ToString("c"));
            }
        }

        App = await builder.BuildAsync(cancellation.Token).WaitAsync(cancellation.Token);
        await App.StartAsync(cancellation.Token).WaitAsync(cancellation.Token);
        foreach (var resource in RealtimeAppFixture.InfrastructureResources.Concat(RealtimeAppFixture.ProjectResources))
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancellation.Token).WaitAsync(cancellation.Token);
        }
    }

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromMinutes(1));
        }

        try
        {
            Directory.Delete(_dataPath, recursive: true);
        }
        catch (IOException)
        {
            // A process that has not quite exited may still hold a file; the temp folder is cleaned later.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ConnectionLimitsCollection : ICollectionFixture<ConnectionLimitsFixture>
{
    public const string Name = "connection-limits";
}
