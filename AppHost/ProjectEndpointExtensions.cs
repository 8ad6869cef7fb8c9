using RealtimeAspire.AppHost.Infrastructure;

namespace RealtimeAspire.AppHost;

public static class ProjectEndpointExtensions
{
    /// <summary>
    /// In run mode, serves the project's http endpoint on <paramref name="port"/> (0: a free one) without
    /// Aspire's proxy, so callers reach the process itself. Published manifests keep the defaults.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDirectEndpoint(this IResourceBuilder<ProjectResource> project, int port)
    {
        if (!project.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            return project;
        }

        var chosenPort = FreePort.OrConfigured(port);
        return project.WithEndpoint("http", endpoint =>
        {
            endpoint.IsProxied = false;
            endpoint.Port = chosenPort;
        });
    }
}
