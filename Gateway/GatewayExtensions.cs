namespace RealtimeAspire.Gateway;

public static class GatewayExtensions
{
    public static IHostApplicationBuilder AddGatewayServices(this IHostApplicationBuilder builder)
    {
        // Header, request-line and body limits of the public port (Kestrel:Limits in configuration).
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel =>
            builder.Configuration.GetSection("Kestrel:Limits").Bind(kestrel.Limits));

        builder.Services.Configure<OriginPolicyOptions>(builder.Configuration.GetSection("Gateway"));
        builder.Services.AddSingleton<OriginPolicy>();
        builder.AddAuthRateLimiting();

        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddServiceDiscoveryDestinationResolver()
            .AddTransforms(ReplicaHeader.AddTransform);

        return builder;
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
        app.UseRequestBodyLimit();
        app.UseRateLimiter();
        app.UseWebClient();

        app.MapReverseProxy(proxy =>
        {
            proxy.UseOriginPolicy();
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });

        return app;
    }
}
