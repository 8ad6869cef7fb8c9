using System.Runtime.Versioning;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;

namespace RealtimeAspire.AppHost.Infrastructure;

/// <summary>redis-server run as a local process, with the connection string of Aspire's Redis container.</summary>
public sealed class LocalRedisResource(string name, string command, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";

    public EndpointReference PrimaryEndpoint => new(this, PrimaryEndpointName);

    public ParameterResource PasswordParameter { get; } = password;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)},password={PasswordParameter}");
}

[UnsupportedOSPlatform("windows")]
public static class LocalRedisBuilderExtensions
{
    /// <summary>
    /// Adds redis-server with its append-only file on (every acked message must survive a kill of Redis)
    /// and its data under <paramref name="dataDirectory"/>.
    /// </summary>
    public static IResourceBuilder<LocalRedisResource> AddLocalRedis(
        this IDistributedApplicationBuilder builder, string name, string redisServer, string dataDirectory, int port)
    {
        Directory.CreateDirectory(dataDirectory);

        var password = LocalSecrets.NewPassword();
        var passwordParameter = builder.AddParameter($"{name}-password", password, secret: true);
        var redis = new LocalRedisResource(name, redisServer, dataDirectory, passwordParameter.Resource);

        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks()
            .AddRedis($"127.0.0.1:{port},password={password},abortConnect=false", name: healthCheckKey);

        return builder.AddResource(redis)
            .WithEndpoint(port: port, targetPort: port, scheme: "tcp", name: LocalRedisResource.PrimaryEndpointName, isProxied: false)
            .WithArgs(
                "--port", port.ToString(CultureInfo.InvariantCulture),
                "--bind", "127.0.0.1",
                "--dir", dataDirectory,
                "--appendonly", "yes",
                "--appendfsync", "everysec",
                "--save", "",
                "--requirepass", passwordParameter.Resource)
            .WithHealthCheck(healthCheckKey);
    }
}
