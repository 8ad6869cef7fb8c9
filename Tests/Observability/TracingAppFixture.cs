using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Observability;

/// <summary>
/// The whole system once more, with every service exporting its traces to an OTLP receiver the tests own.
/// A separate app: the shared one exports to no endpoint a test can read.
/// </summary>
public sealed class TracingAppFixture : IAsyncLifetime
{
    private readonly string _dataPath = Directory.CreateTempSubdirectory("realtime-aspire-tracing-").FullName;

    public OtlpTraceReceiver Receiver { get; } = new();

    public DistributedApplication App { get; private set; } = null!;

    public Uri GatewayUri => App.GetEndpoint("gateway", "http");

    public async Task InitializeAsync()
    {
        await Receiver.StartAsync();
        App = await TestSystem.StartAsync(_dataPath, builder =>
        {
            foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
            {
                builder.CreateResourceBuilder(project)
                    .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", Receiver.Endpoint.ToString().TrimEnd('/'))
                    .WithEnvironment("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
                    .WithEnvironment("OTEL_SERVICE_NAME", project.Name)
                    .WithEnvironment("OTEL_BSP_SCHEDULE_DELAY", "500");
            }
        });
    }

    public HttpClient CreateGatewayClient() => new() { BaseAddress = GatewayUri, Timeout = TimeSpan.FromSeconds(30) };

    public async Task DisposeAsync()
    {
        await TestSystem.StopAsync(App, _dataPath);
        await Receiver.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class TracingAppCollection : ICollectionFixture<TracingAppFixture>
{
    public const string Name = "realtime-app-tracing";
}
