using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

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

    public static HubEndpointConventionBuilder MapRealtimeHub(this IEndpointRouteBuilder app) =>
        app.MapHub<RealtimeHub>(Path);
}
