using Microsoft.Extensions.Configuration;
using Aspire.Hosting.Publishing;
using Microsoft.Extensions.Configuration.UserSecrets;

namespace RealtimeAspire.AppHost.Infrastructure;

/// <summary>
/// Secrets that protect data in the data folder (Infrastructure:DataPath) are kept in that folder, so every way of
/// starting the AppHost — any environment, any checkout, the tests — opens the data with the secret it was made with.
/// A value set as <c>Parameters:&lt;name&gt;</c> (command line, environment, appsettings) still wins.
/// </summary>
public static class DataFolderSecrets
{
    /// <summary>
    /// The user-secrets store that AppHosts before this one persisted generated parameters in. It is shared by every
    /// checkout and every environment on the machine, which is why it is no longer used; it is only read, once, to
    /// adopt a value a data folder from that time was made with.
    /// </summary>
    public const string LegacyUserSecretsId = "realtime-aspire-apphost";

    /// <summary>The folder holding the data kept between runs: Infrastructure:DataPath, relative to the AppHost's folder.</summary>
    public static string DataRoot(this IDistributedApplicationBuilder builder) =>
        Path.GetFullPath(builder.Configuration["Infrastructure:DataPath"] ?? ".data", builder.AppHostDirectory);

    /// <summary>
    /// Adds a secret parameter whose value, unless set explicitly, is kept in the file <paramref name="file"/> of the
    /// data folder (made on first use). Published manifests ask for a generated value instead.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddDataFolderSecret(
        this IDistributedApplicationBuilder builder, string name, string? file = null)
    {
        ParameterDefault value = builder.ExecutionContext.IsRunMode
            ? new DataFolderSecretDefault(name, Path.Combine(builder.DataRoot(), file ?? name))
            : new GenerateParameterDefault { MinLength = 32, Special = false };
        return builder.AddParameter(name, value, secret: true);
    }

    /// <summary>Where the parameter's value comes from, in words an operator can act on (for error messages of the services).</summary>
    public static string DescribeSource(this IResourceBuilder<ParameterResource> parameter)
    {
        var name = parameter.Resource.Name;
        return parameter.ApplicationBuilder.Configuration[$"Parameters:{name}"] is not null || parameter.Resource.Default is not DataFolderSecretDefault kept
            ? $"the AppHost setting Parameters:{name}"
            : $"the file {kept.Path} (AppHost parameter {name})";
    }

    private static string? ReadLegacyUserSecret(string name)
    {
        var store = PathHelper.GetSecretsPathFromSecretsId(LegacyUserSecretsId);
        return File.Exists(store)
            ? new ConfigurationBuilder().AddJsonFile(store, optional: true).Build()[$"Parameters:{name}"]
            : null;
    }

    private sealed class DataFolderSecretDefault(string name, string path) : ParameterDefault
    {
        public string Path => path;

        public override string GetDefaultValue() =>
            LocalSecrets.ReadOrCreate(path, () => ReadLegacyUserSecret(name) ?? LocalSecrets.NewPassword(32));

        public override void WriteToManifest(ManifestPublishingContext context) =>
            throw new NotSupportedException("A data-folder secret exists in run mode only.");
    }
}
