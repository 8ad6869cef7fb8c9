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

// Seals AuthService's signing keys in authdb, so it is kept with authdb's data; the operator key guards key rotation (docs/auth.md).
var keyEncryptionKey = builder.AddDataFolderSecret("auth-key-encryption-key");
var operatorKey = builder.AddDataFolderSecret("auth-operator-key");

var authService = builder.AddProject<Projects.AuthService>("auth-service")
    .WithFreeProxyPort()
    .WithHttpHealthCheck("/health")
    .WithReference(redis).WaitFor(redis)
    .WithReference(authDb).WaitFor(authDb)
    .WithEnvironment("Auth__KeyEncryptionKey", keyEncryptionKey)
    .WithEnvironment("Auth__KeyEncryptionKeySource", keyEncryptionKey.DescribeSource())
    .WithEnvironment("Auth__OperatorKey", operatorKey)
    .WithServerApiSection(ServerApiSettings.Clients)
    .WithSigningKeyRotationCommand(operatorKey)
    .WithServerClientCommands(operatorKey);

// Direct, not behind Aspire's proxy: a stopped MessageService refuses connections at once (the Gateway answers 503)
// instead of the proxy holding them open until they time out.
var messageService = builder.AddProject<Projects.MessageService>("message-service")
    .WithDirectEndpoint(port: 0)
    .WithHttpHealthCheck("/health")
    .WithReference(redis).WaitFor(redis)
    .WithReference(messagesDb).WaitFor(messagesDb)
    .WithReference(authService).WaitFor(authService)
    .WithServerApiSection(ServerApiSettings.Webhooks);

var replicas = builder.AddConnectionServiceReplicas(replica => replica
    .WithReference(redis).WaitFor(redis)
    .WithReference(authService).WaitFor(authService)
    .WithReference(messageService).WaitFor(messageService)
    .WithServerApiSection(ServerApiSettings.PublishHook)
    .WithDrainCommand(operatorKey));

var gateway = builder.AddGateway()
    .WithReference(authService).WaitFor(authService)
    .WithReference(messageService).WaitFor(messageService);

foreach (var replica in replicas)
{
    gateway.WithConnectionServiceReplica(replica);
}

builder.AddOrderUpdatesExample(gateway, authService, messageService);

builder.KeepQueryStringsRedacted();
builder.RunProjectsInAppHostEnvironment();
builder.AddStartFailureReports();

builder.Build().Run();
// 1 when the StartFailureReporter stopped the AppHost (Startup:ExitOnFailure).
return Environment.ExitCode;
