using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Connection;

/// <summary>
/// A system of its own with short timings, for the tests that wait on heartbeats, token expiry, leases and a full
/// outbound queue, or that stop a replica: a 5 s heartbeat, 20 s access tokens, a 3 s authentication timeout, a
/// 256-frame outbound queue, no practical rate limit, a recent stream of about 10 messages, and 3 s leases renewed
/// every 0.5 s.
/// </summary>
public sealed class ConnectionLimitsFixture : IAsyncLifetime
{
    public const int HeartbeatIntervalMs = 5_000;
    public const int AuthTimeoutMs = 3_000;
    public static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromSeconds(20);

    private static readonly Dictionary<string, string> ReplicaSettings = new()
    {
        ["Realtime__HeartbeatIntervalMs"] = HeartbeatIntervalMs.ToString(),
        ["Realtime__AuthTimeoutMs"] = AuthTimeoutMs.ToString(),
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

    public async Task InitializeAsync() => App = await TestSystem.StartAsync(_dataPath, builder =>
    {
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
    });

    public Task DisposeAsync() => TestSystem.StopAsync(App, _dataPath);
}

[CollectionDefinition(Name)]
public sealed class ConnectionLimitsCollection : ICollectionFixture<ConnectionLimitsFixture>
{
    public const string Name = "connection-limits";
}
