using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RealtimeAspire.ConnectionService.Connections;

/// <summary>
/// Stopped first of the hosted services (it is registered last): closes every connection with 1001 after its
/// in-flight work and waits for them to finish, while Redis and the rest are still there.
/// </summary>
public sealed class ConnectionDrainer(ConnectionHost host, ConnectionRegistry connections, IHostApplicationLifetime lifetime, TimeProvider time)
    : IHostedService, IHealthCheck
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // From the first moment of shutdown /health says 503, so the Gateway stops sending clients here.
        lifetime.ApplicationStopping.Register(host.BeginDrain);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await host.DrainAsync().WaitAsync(cancellationToken);
        while (connections.Count > 0 && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, CancellationToken.None);
        }
    }

    /// <summary>Unhealthy while draining, so the Gateway sends new clients elsewhere.</summary>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(host.IsDraining ? HealthCheckResult.Unhealthy("draining") : HealthCheckResult.Healthy());
}
