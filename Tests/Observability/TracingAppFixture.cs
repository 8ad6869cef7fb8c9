using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
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
        using var cancellation = new CancellationTokenSource(RealtimeAppFixture.StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            ["--Infrastructure:Mode=local", $"--Infrastructure:DataPath={_dataPath}", "--Gateway:Port=0"],
            cancellation.Token);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));

        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            // Added last, so these win over whatever the AppHost set for the dashboard.
            builder.CreateResourceBuilder(project)
                .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", Receiver.Endpoint.ToString().TrimEnd('/'))
                .WithEnvironment("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
                .WithEnvironment("OTEL_SERVICE_NAME", project.Name)
                .WithEnvironment("OTEL_BSP_SCHEDULE_DELAY", "500");
        }

        App = await builder.BuildAsync(cancellation.Token).WaitAsync(cancellation.Token);
        await App.StartAsync(cancellation.Token).WaitAsync(cancellation.Token);
        foreach (var resource in RealtimeAppFixture.InfrastructureResources.Concat(RealtimeAppFixture.ProjectResources))
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancellation.Token).WaitAsync(cancellation.Token);
        }
    }

    public HttpClient CreateGatewayClient() => new() { BaseAddress = GatewayUri, Timeout = TimeSpan.FromSeconds(30) };

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromMinutes(1));
        }

        await Receiver.DisposeAsync();
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
public sealed class TracingAppCollection : ICollectionFixture<TracingAppFixture>
{
    public const string Name = "realtime-app-tracing";
}
