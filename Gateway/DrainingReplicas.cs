using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace RealtimeAspire.Gateway;

/// <summary>
/// A replica that answers a connect with its own <c>503</c> is draining: it leaves the cluster's available destinations
/// at once (passive health), so the clients it closes reconnect to another replica instead of back to it until the
/// active health check has failed twice. It is available again after the cluster's reactivation period, once the
/// active check finds it healthy.
/// </summary>
public static class DrainingReplicas
{
    /// <summary>The route switch (metadata) that turns this on: the replicas' routes.</summary>
    public const string RouteFlag = "DetectDraining";

    private static readonly TimeSpan DefaultReactivationPeriod = TimeSpan.FromSeconds(10);

    public static IReverseProxyApplicationBuilder UseDrainingReplicas(this IReverseProxyApplicationBuilder proxy)
    {
        var health = proxy.ApplicationServices.GetRequiredService<IDestinationHealthUpdater>();
        proxy.Use(async (context, next) =>
        {
            await next();
            // YARP's own 503 (no healthy destination) carries an error feature and no replica to blame.
            if (context.Response.StatusCode != StatusCodes.Status503ServiceUnavailable
                || context.GetForwarderErrorFeature() is not null
                || !RouteFlags.IsOn(context, RouteFlag)
                || context.Features.Get<IReverseProxyFeature>() is not { ProxiedDestination: { } replica, Route.Cluster: { } cluster })
            {
                return;
            }

            health.SetPassive(cluster, replica, DestinationHealth.Unhealthy,
                cluster.Model.Config.HealthCheck?.Passive?.ReactivationPeriod ?? DefaultReactivationPeriod);
        });

        return proxy;
    }
}
