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

var authService = builder.AddProject<Projects.AuthService>("auth-service")
    .WithHttpHealthCheck("/health")
    .WithReference(redis).WaitFor(redis)
    .WithReference(authDb).WaitFor(authDb);

var messageService = builder.AddProject<Projects.MessageService>("message-service")
    .WithHttpHealthCheck("/health")
    .WithReference(redis).WaitFor(redis)
    .WithReference(messagesDb).WaitFor(messagesDb)
    .WithReference(authService).WaitFor(authService);

var replicas = builder.AddConnectionServiceReplicas(replica => replica
    .WithReference(redis).WaitFor(redis)
    .WithReference(authService).WaitFor(authService)
    .WithReference(messageService).WaitFor(messageService));

// The only external endpoint: a fixed port (Gateway:Port, 8080 by default; 0 picks a free one).
var gateway = builder.AddProject<Projects.Gateway>("gateway")
    .WithDirectEndpoint(builder.Configuration.GetValue("Gateway:Port", 8080))
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health")
    .WithReference(authService).WaitFor(authService)
    .WithReference(messageService).WaitFor(messageService);

foreach (var replica in replicas)
{
    gateway.WithConnectionServiceReplica(replica);
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
