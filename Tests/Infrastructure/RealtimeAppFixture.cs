namespace RealtimeAspire.Tests.Infrastructure;

/// <summary>
/// The whole system — the real AppHost in local mode with real redis-server and PostgreSQL — started once
/// for every test of the <see cref="RealtimeAppCollection"/>. Each run gets fresh data in a temp folder.
/// </summary>
public class RealtimeAppFixture : IAsyncLifetime
{
    public static readonly TimeSpan StartTimeout = TestSystem.StartTimeout;

    public static readonly string[] ProjectResources = TestSystem.ProjectResources;

    public static readonly string[] InfrastructureResources = TestSystem.InfrastructureResources;

    private readonly string _dataPath = Directory.CreateTempSubdirectory("realtime-aspire-tests-").FullName;

    public DistributedApplication App { get; private set; } = null!;

    /// <summary>The Gateway's public address, as a client outside would use it.</summary>
    public Uri GatewayUri => App.GetEndpoint("gateway", "http");

    public async Task InitializeAsync() => App = await TestSystem.StartAsync(_dataPath, settings: Settings);

    /// <summary>AppHost arguments of this kind of system.</summary>
    protected virtual IEnumerable<string> Settings => [];

    public HttpClient CreateGatewayClient() => new() { BaseAddress = GatewayUri, Timeout = TimeSpan.FromSeconds(30) };

    public Task DisposeAsync() => TestSystem.StopAsync(App, _dataPath);
}

[CollectionDefinition(Name)]
public sealed class RealtimeAppCollection : ICollectionFixture<RealtimeAppFixture>
{
    public const string Name = "realtime-app";
}

/// <summary>
/// The tests that stop and restart services get a system of their own (another instance of the same fixture),
/// so a restart that is slow or fails on a busy machine cannot take a replica away from every other test.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DisruptiveAppCollection : ICollectionFixture<RealtimeAppFixture>
{
    public const string Name = "realtime-app-disruptive";
}
