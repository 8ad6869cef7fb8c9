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
        using var client = fixture.App.CreateHttpClient(resource, "http");

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
    public async Task The_gateway_answers_on_its_public_endpoint()
    {
        using var client = fixture.CreateGatewayClient();

        var response = await client.GetAsync("/health").WaitAsync(RequestTimeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
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
