namespace RealtimeAspire.Gateway;

public static class GatewayExtensions
{
    public static IHostApplicationBuilder AddGatewayServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddServiceDiscoveryDestinationResolver();

        return builder;
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
        app.UseWebSockets();
        app.MapReverseProxy();
        return app;
    }
}
