using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RealtimeAspire.ConnectionService.Connections;

/// <summary>
/// Drains on the first signal of shutdown (ApplicationStopping, before Kestrel stops and waits for open requests):
/// every connection closes with 1001 after its in-flight work; stopping waits until they are all gone.
/// </summary>
public sealed class ConnectionDrainer(ConnectionLifecycle lifecycle, ConnectionRegistry connections, IHostApplicationLifetime lifetime, TimeProvider time)
    : IHostedService, IHealthCheck
{
    private Task? _drained;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // From the first moment of shutdown /health says 503, so the Gateway stops sending clients here.
        lifetime.ApplicationStopping.Register(() => _drained = lifecycle.DrainAsync());
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await (_drained ?? lifecycle.DrainAsync()).WaitAsync(cancellationToken);
        while (connections.Count > 0 && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, CancellationToken.None);
        }
    }

    /// <summary>Unhealthy while draining, so the Gateway sends new clients elsewhere.</summary>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifecycle.IsDraining ? HealthCheckResult.Unhealthy("draining") : HealthCheckResult.Healthy());
}
