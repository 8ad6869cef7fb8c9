using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using RealtimeAspire.ConnectionService.Connections;

namespace RealtimeAspire.ConnectionService.Hubs;

public static class RealtimeHubExtensions
{
    public const string Path = "/hub";

    /// <summary>SignalR without a backplane: cross-replica delivery is the rooms' Redis fanout, as for WebSockets.</summary>
    public static IServiceCollection AddRealtimeHub(this IServiceCollection services)
    {
        services.AddSignalR();
        services.AddOptions<HubOptions>().Configure<IOptions<RealtimeOptions>>((hub, realtime) =>
            hub.MaximumReceiveMessageSize = realtime.Value.MaxFrameBytes);
        services.AddSingleton<HubConnectionHost>();
        return services;
    }

    public static HubEndpointConventionBuilder MapRealtimeHub(this IEndpointRouteBuilder app)
    {
        if (app is IApplicationBuilder pipeline)
        {
            // A draining replica refuses SignalR at the HTTP level (negotiate too): reconnecting clients retry and
            // the Gateway sends them elsewhere, where a hub error in OnConnectedAsync would end their reconnect.
            var lifecycle = app.ServiceProvider.GetRequiredService<ConnectionLifecycle>();
            pipeline.Use((context, next) => lifecycle.IsDraining && context.Request.Path.StartsWithSegments(Path)
                ? RealtimeApi.Draining().ExecuteAsync(context)
                : next(context));
            pipeline.UseHubErrorProblems(Path);
        }

        return app.MapHub<RealtimeHub>(Path);
    }
}
