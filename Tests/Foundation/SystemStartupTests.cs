using Microsoft.Extensions.Diagnostics.HealthChecks;
using System.Net;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Foundation;

[Collection(RealtimeAppCollection.Name)]
public sealed class SystemStartupTests(RealtimeAppFixture fixture)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    public static TheoryData<string> Services => new(RealtimeAppFixture.ProjectResources);

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Every_service_is_healthy_alive_and_scrapable_through_service_discovery(string resource)
    {
        // The Gateway's public port serves clients only; its own health and metrics are on "management".
        using var client = fixture.App.CreateHttpClient(resource, resource == "gateway" ? "management" : "http");

        var health = await client.GetAsync("/health").WaitAsync(RequestTimeout);
        var alive = await client.GetAsync("/alive").WaitAsync(RequestTimeout);
        var metrics = await client.GetStringAsync("/metrics").WaitAsync(RequestTimeout);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Contains("# TYPE ", metrics);
        Assert.Contains($"service_name=\"{resource}\"", metrics);
    }

    [Fact]
    public void Every_resource_reports_healthy_to_the_orchestrator()
    {
        foreach (var resource in RealtimeAppFixture.InfrastructureResources.Concat(RealtimeAppFixture.ProjectResources))
        {
            Assert.True(fixture.App.ResourceNotifications.TryGetCurrentState(resource, out var state), resource);
            Assert.Equal(HealthStatus.Healthy, state.Snapshot.HealthStatus);
        }
    }

    [Fact]
    public async Task The_gateway_serves_clients_on_its_public_endpoint_and_health_and_metrics_only_on_management()
    {
        using var publicClient = fixture.CreateGatewayClient();
        using var management = fixture.App.CreateHttpClient("gateway", "management");

        using var page = await publicClient.GetAsync("/").WaitAsync(RequestTimeout);
        var notServed = new List<HttpStatusCode>();
        foreach (var path in new[] { "/health", "/alive", "/metrics" })
        {
            using var response = await publicClient.GetAsync(path).WaitAsync(RequestTimeout);
            notServed.Add(response.StatusCode);
        }
        var metrics = await management.GetStringAsync("/metrics").WaitAsync(RequestTimeout);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.All(notServed, status => Assert.Equal(HttpStatusCode.NotFound, status));
        Assert.Contains("service_name=\"gateway\"", metrics);
        Assert.NotEqual(fixture.GatewayUri.Port, management.BaseAddress!.Port);
        Assert.Equal("localhost", fixture.GatewayUri.Host);
    }

    [Fact]
    public void The_connection_service_replicas_are_separate_gateway_destinations()
    {
        // Each replica is its own resource with its own port; nothing sits between the Gateway and it.
        var ports = new[] { "connection-service-1", "connection-service-2" }
            .Select(name => fixture.App.GetEndpoint(name, "http").Port)
            .ToList();

        Assert.Equal(2, ports.Distinct().Count());
    }
}
