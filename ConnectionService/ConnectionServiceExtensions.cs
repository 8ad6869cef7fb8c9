using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RealtimeAspire.ConnectionService.Connections;
using RealtimeAspire.ConnectionService.Hubs;
using RealtimeAspire.ConnectionService.Messages;
using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.ConnectionService.PublishHooks;
using RealtimeAspire.ConnectionService.Redis;
using RealtimeAspire.ConnectionService.Rooms;
using RealtimeAspire.ConnectionService.Upstream;

namespace RealtimeAspire.ConnectionService;

public static class ConnectionServiceExtensions
{
    public static IHostApplicationBuilder AddConnectionServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.AddGatewayLink();
        builder.AddRedisClient("redis");
        builder.AddJwtAuthentication();
        // A /ws connection authenticates itself (ConnectionAuthenticator). The bearer handler checking the same token
        // on the upgrade would cost a second signature check, and keep the parsed token and its claims alive with
        // the request, that is for the connection's whole life (docs/benchmarks.md, "Memory per connection").
        builder.Services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, bearer =>
        {
            var readToken = bearer.Events.OnMessageReceived;
            bearer.Events.OnMessageReceived = context =>
            {
                if (!context.Request.Path.StartsWithSegments(RealtimeApi.WebSocketPath))
                {
                    return readToken(context);
                }

                context.NoResult();
                return Task.CompletedTask;
            };
        });
        builder.AddServiceMeter(RealtimeMetrics.MeterName);
        builder.AddServiceActivitySource(RealtimeMetrics.MeterName);

        var services = builder.Services;
        services.AddOptions<RealtimeOptions>().BindConfiguration(RealtimeOptions.SectionName);
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<RealtimeOptions>>().Value);
        services.TryAddSingleton(TimeProvider.System);
        services.AddMemoryCache(cache => cache.SizeLimit = 100_000);
        services.AddHttpClient(MessageServiceClient.HttpClientName, http => http.BaseAddress = new Uri("http://message-service"));
        services.AddHttpClient(UserDirectory.HttpClientName, http => http.BaseAddress = new Uri("http://auth-service"));

        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<RealtimeOptions>();
            return new ClientFrameParser(options.MaxContentLength, options.MaxDataBytes);
        });
        services.AddSingleton<RealtimeMetrics>();
        services.AddSingleton<MessageServiceClient>();
        services.AddSingleton<UserDirectory>();
        services.AddSingleton<MessageAppender>();
        services.AddSingleton<RedisTopology>();
        services.AddSingleton<AckReplication>();
        services.AddSingleton<PresenceStore>();
        services.AddSingleton<UserLimits>();
        services.AddSingleton<RoomFanout>();
        services.AddSingleton<ConnectionRegistry>();
        services.AddSingleton<MessageReplay>();
        services.AddSingleton<RoomService>();
        services.AddSingleton<MentionNotifier>();
        services.AddPublishHook();
        services.AddSingleton<MessageSender>();
        services.AddSingleton<ServerPublisher>();
        services.AddSingleton<UserEventSender>();
        services.AddSingleton<MessageEventSender>();
        services.AddSingleton<ConnectionAuthenticator>();
        services.AddSingleton<FrameHandler>();
        services.AddSingleton<ConnectionLifecycle>();
        services.AddSingleton<WebSocketConnectionHost>();
        services.AddSingleton<ConnectionDrainer>();
        services.AddRealtimeHub();

        services.AddHostedService(provider => provider.GetRequiredService<MentionNotifier>());
        services.AddHostedService<ConnectionSweeper>();
        services.AddHostedService<ControlListener>();
        services.AddHostedService<BlockedUserCloser>();
        services.AddHostedService<ReplicaTelemetry>();
        // Its stop waits until the drain that began with ApplicationStopping has closed every connection.
        services.AddHostedService(provider => provider.GetRequiredService<ConnectionDrainer>());
        services.AddHealthChecks().AddCheck<ConnectionDrainer>("drain");
        return builder;
    }
}
