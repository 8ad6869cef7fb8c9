using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Gateway;

/// <summary>
/// A system whose Gateway admits few connections (AppHost arguments <c>--Gateway:Admission:…</c>, which the AppHost
/// passes on to the Gateway): <see cref="MaxConnections"/> in all, <see cref="MaxUnauthenticatedPerAddress"/>
/// without a token per client address. No other test may share it: every open connection counts.
/// </summary>
public sealed class AdmissionFixture : IAsyncLifetime
{
    public const int MaxConnections = 6;
    public const int MaxUnauthenticatedPerAddress = 2;

    private readonly string _dataPath = Directory.CreateTempSubdirectory("realtime-aspire-admission-").FullName;

    public DistributedApplication App { get; private set; } = null!;

    public Uri GatewayUri => App.GetEndpoint("gateway", "http");

    public HttpClient CreateGatewayClient() => new() { BaseAddress = GatewayUri, Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync() => App = await TestSystem.StartAsync(_dataPath, settings:
    [
        $"--Gateway:Admission:MaxConnections={MaxConnections}",
        $"--Gateway:Admission:MaxUnauthenticatedPerAddress={MaxUnauthenticatedPerAddress}",
    ]);

    public Task DisposeAsync() => TestSystem.StopAsync(App, _dataPath);
}

[CollectionDefinition(Name)]
public sealed class AdmissionCollection : ICollectionFixture<AdmissionFixture>
{
    public const string Name = "gateway-admission";
}
