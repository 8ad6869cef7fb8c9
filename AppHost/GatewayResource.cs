using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RealtimeAspire.AppHost.Infrastructure;

namespace RealtimeAspire.AppHost;

public static class GatewayResource
{
    /// <summary>
    /// Adds the Gateway: the only external endpoint, on a fixed port (Gateway:Port, 8080 by default; 0 picks a
    /// free one). Its own /health, /alive and /metrics answer only on its internal "management" endpoint.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddGateway(this IDistributedApplicationBuilder builder)
    {
        var gateway = builder.AddProject<Projects.Gateway>("gateway")
            .WithDirectEndpoint(builder.Configuration.GetValue("Gateway:Port", 8080))
            .WithExternalHttpEndpoints()
            .WithHttpEndpoint(name: "management", port: builder.ExecutionContext.IsRunMode ? FreePort.Next() : null, isProxied: false)
            .WithHttpHealthCheck("/health", endpointName: "management");

        gateway.WithEnvironment("Management__Port", $"{gateway.GetEndpoint("management").Property(EndpointProperty.TargetPort)}");

        // Gateway:* settings given to the AppHost (Gateway:AllowedOrigins:0, Gateway:AuthRateLimit:PermitLimit, …) reach the Gateway.
        foreach (var (key, value) in builder.Configuration.GetSection("Gateway").AsEnumerable())
        {
            if (value is not null && key != "Gateway:Port")
            {
                gateway.WithEnvironment(key.Replace(":", "__"), value);
            }
        }

        return gateway.OnResourceReady((resource, @event, _) =>
        {
            @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("RealtimeAspire.AppHost")
                .LogInformation("RealtimeAspire is up: open {GatewayUrl}", resource.GetEndpoint("http").Url);
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// Aspire turns off the redaction of query strings in traces, for the dashboard's sake; access tokens travel
    /// in query strings (access_token), so every project keeps it on.
    /// </summary>
    public static void KeepQueryStringsRedacted(this IDistributedApplicationBuilder builder)
    {
        foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
        {
            builder.CreateResourceBuilder(project)
                .WithEnvironment("OTEL_DOTNET_EXPERIMENTAL_ASPNETCORE_DISABLE_URL_QUERY_REDACTION", "false")
                .WithEnvironment("OTEL_DOTNET_EXPERIMENTAL_HTTPCLIENT_DISABLE_URL_QUERY_REDACTION", "false");
        }
    }
}
