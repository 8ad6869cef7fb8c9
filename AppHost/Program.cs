using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RealtimeAspire.AppHost;
using RealtimeAspire.AppHost.Infrastructure;

var builder = DistributedApplication.CreateBuilder(args);

InfrastructureResources infrastructure;
try
{
    infrastructure = builder.AddInfrastructure();
}
catch (InfrastructureUnavailableException e)
{
    // One line that says what to install, rather than a stack trace.
    Console.Error.WriteLine($"RealtimeAspire cannot start: {e.Message}");
    return 1;
}

var (redis, authDb, messagesDb) = (infrastructure.Redis, infrastructure.AuthDb, infrastructure.MessagesDb);

// Seals AuthService's signing keys in authdb; the operator key guards key rotation (docs/auth.md).
var keyEncryptionKey = builder.AddParameter("auth-key-encryption-key", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);
var operatorKey = builder.AddParameter("auth-operator-key", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);

var authService = builder.AddProject<Projects.AuthService>("auth-service")
    .WithHttpHealthCheck("/health")
    .WithReference(redis).WaitFor(redis)
    .WithReference(authDb).WaitFor(authDb)
    .WithEnvironment("Auth__KeyEncryptionKey", keyEncryptionKey)
    .WithEnvironment("Auth__OperatorKey", operatorKey)
    .WithSigningKeyRotationCommand(operatorKey);

var messageService = builder.AddProject<Projects.MessageService>("message-service")
    .WithHttpHealthCheck("/health")
    .WithReference(redis).WaitFor(redis)
    .WithReference(messagesDb).WaitFor(messagesDb)
    .WithReference(authService).WaitFor(authService);

var replicas = builder.AddConnectionServiceReplicas(replica => replica
    .WithReference(redis).WaitFor(redis)
    .WithReference(authService).WaitFor(authService)
    .WithReference(messageService).WaitFor(messageService)
    .WithDrainCommand(operatorKey));

// The only external endpoint: a fixed port (Gateway:Port, 8080 by default; 0 picks a free one).
// The Gateway's own /health, /alive and /metrics answer only on its internal "management" endpoint.
var gateway = builder.AddProject<Projects.Gateway>("gateway")
    .WithDirectEndpoint(builder.Configuration.GetValue("Gateway:Port", 8080))
    .WithExternalHttpEndpoints()
    .WithHttpEndpoint(name: "management", port: builder.ExecutionContext.IsRunMode ? FreePort.Next() : null, isProxied: false)
    .WithHttpHealthCheck("/health", endpointName: "management")
    .WithReference(authService).WaitFor(authService)
    .WithReference(messageService).WaitFor(messageService);

gateway.WithEnvironment("Management__Port", $"{gateway.GetEndpoint("management").Property(EndpointProperty.TargetPort)}");

// Gateway:* settings given to the AppHost (Gateway:AllowedOrigins:0, Gateway:AuthRateLimit:PermitLimit, …) reach the Gateway.
foreach (var (key, value) in builder.Configuration.GetSection("Gateway").AsEnumerable())
{
    if (value is not null && key != "Gateway:Port")
    {
        gateway.WithEnvironment(key.Replace(":", "__"), value);
    }
}

foreach (var replica in replicas)
{
    gateway.WithConnectionServiceReplica(replica);
}

// Aspire turns off the redaction of query strings in traces, for the dashboard's sake; access tokens travel
// in query strings (access_token), so every service keeps it on.
foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
{
    builder.CreateResourceBuilder(project)
        .WithEnvironment("OTEL_DOTNET_EXPERIMENTAL_ASPNETCORE_DISABLE_URL_QUERY_REDACTION", "false")
        .WithEnvironment("OTEL_DOTNET_EXPERIMENTAL_HTTPCLIENT_DISABLE_URL_QUERY_REDACTION", "false");
}

gateway.OnResourceReady((resource, @event, _) =>
{
    var url = resource.GetEndpoint("http").Url;
    @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("RealtimeAspire.AppHost")
        .LogInformation("RealtimeAspire is up: open {GatewayUrl}", url);
    return Task.CompletedTask;
});

builder.Build().Run();
return 0;
