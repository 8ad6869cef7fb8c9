using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RealtimeAspire.Tests.Infrastructure;

/// <summary>
/// The whole system — the real AppHost in local mode with real redis-server and PostgreSQL — started once
/// for every test of the <see cref="RealtimeAppCollection"/>. Each run gets fresh data in a temp folder.
/// </summary>
public sealed class RealtimeAppFixture : IAsyncLifetime
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    public static readonly string[] ProjectResources =
        ["auth-service", "message-service", "connection-service-1", "connection-service-2", "gateway"];

    public static readonly string[] InfrastructureResources = ["redis", "postgres", "authdb", "messagesdb"];

    private readonly string _dataPath = Directory.CreateTempSubdirectory("realtime-aspire-tests-").FullName;

    public DistributedApplication App { get; private set; } = null!;

    /// <summary>The Gateway's public address, as a client outside would use it.</summary>
    public Uri GatewayUri => App.GetEndpoint("gateway", "http");

    public async Task InitializeAsync()
    {
        using var cancellation = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [
                "--Infrastructure:Mode=local",
                $"--Infrastructure:DataPath={_dataPath}",
                // A free port, so a system started by hand on 8080 does not collide with the tests.
                "--Gateway:Port=0",
            ],
            cancellation.Token);

        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Aspire.Hosting.Dcp", LogLevel.Warning));

        App = await builder.BuildAsync(cancellation.Token).WaitAsync(cancellation.Token);
        await App.StartAsync(cancellation.Token).WaitAsync(cancellation.Token);

        foreach (var resource in InfrastructureResources.Concat(ProjectResources))
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancellation.Token)
                .WaitAsync(cancellation.Token);
        }
    }

    public HttpClient CreateGatewayClient() => new() { BaseAddress = GatewayUri, Timeout = TimeSpan.FromSeconds(30) };

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
public sealed class RealtimeAppCollection : ICollectionFixture<RealtimeAppFixture>
{
    public const string Name = "realtime-app";
}
