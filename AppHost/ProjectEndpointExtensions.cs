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

    /// <summary>
    /// In run mode, lets Aspire's proxy in front of the project's http endpoint take a free port instead of the one
    /// in the project's launch profile, so two systems on one machine do not collide.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithFreeProxyPort(this IResourceBuilder<ProjectResource> project) =>
        project.ApplicationBuilder.ExecutionContext.IsRunMode
            ? project.WithEndpoint("http", endpoint => endpoint.Port = null)
            : project;

    /// <summary>
    /// Runs every project in the AppHost's environment (Development under start.sh, Production under the benchmark),
    /// not in the Development their launch profiles name for running them on their own.
    /// </summary>
    public static void RunProjectsInAppHostEnvironment(this IDistributedApplicationBuilder builder)
    {
        var environment = builder.Environment.EnvironmentName;
        foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
        {
            builder.CreateResourceBuilder(project)
                .WithEnvironment("ASPNETCORE_ENVIRONMENT", environment)
                .WithEnvironment("DOTNET_ENVIRONMENT", environment);
        }
    }
}
