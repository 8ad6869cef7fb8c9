using Microsoft.Extensions.Configuration;

namespace RealtimeAspire.AppHost;

/// <summary>
/// The operator's server-API declarations in the AppHost's configuration (protocol.md §6): <c>ServerApi:Clients:N:…</c>,
/// <c>ServerApi:Webhooks:…</c>, <c>ServerApi:PublishHook:…</c>. Each part goes only to the services that need it, so a
/// client secret never reaches a process that does not check it.
/// </summary>
public static class ServerApiSettings
{
    public const string Clients = "ServerApi:Clients";
    public const string Webhooks = "ServerApi:Webhooks";
    public const string PublishHook = "ServerApi:PublishHook";

    /// <summary>Passes every value under <paramref name="section"/> of the AppHost's configuration on as the same setting.</summary>
    public static IResourceBuilder<ProjectResource> WithServerApiSection(this IResourceBuilder<ProjectResource> service, string section)
    {
        foreach (var setting in service.ApplicationBuilder.Configuration.GetSection(section).AsEnumerable(makePathsRelative: false))
        {
            if (setting.Value is not null)
            {
                service.WithEnvironment(setting.Key.Replace(":", "__"), setting.Value);
            }
        }

        return service;
    }
}
