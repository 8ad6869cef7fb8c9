namespace RealtimeAspire.Gateway;

public static class GatewayExtensions
{
    public static IHostApplicationBuilder AddGatewayServices(this IHostApplicationBuilder builder)
    {
        // Header, request-line and body limits of the public port (Kestrel:Limits in configuration).
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel =>
            builder.Configuration.GetSection("Kestrel:Limits").Bind(kestrel.Limits));

        builder.Services.AddOptions<OriginPolicyOptions>().BindConfiguration(OriginPolicyOptions.SectionName);
        builder.Services.AddSingleton<OriginPolicy>();
        builder.AddAuthRateLimiting();
        builder.AddAdmissionControl();

        // Passive health counts transport failures over a short window only, so a replica that was down and is back
        // is not thrown out again for failures from before its restart (Gateway:PassiveHealth:DetectionWindowSize).
        builder.Services.AddOptions<Yarp.ReverseProxy.Health.TransportFailureRateHealthPolicyOptions>()
            .BindConfiguration("Gateway:PassiveHealth");

        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddServiceDiscoveryDestinationResolver()
            .AddTransforms(ReplicaHeader.AddTransform)
            .AddTransforms(SignalRAffinity.AddTransform);

        return builder;
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
        app.UseRequestBodyLimit();
        app.UseRateLimiter();
        app.UseChatPage();

        app.MapReverseProxy(proxy =>
        {
            proxy.UseOriginPolicy();
            proxy.UseUpstreamUnavailable();
            proxy.UseAdmissionControl();
            proxy.UseSignalRAffinity();
            proxy.UseRealtimeRequestBodies();
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            // Outside the passive health check: its transport-failure policy would mark the replica healthy again.
            proxy.UseDrainingReplicas();
            proxy.UsePassiveHealthChecks();
        });

        return app;
    }
}
