using Microsoft.Extensions.Configuration;
using RealtimeAspire.AppHost.Infrastructure;

namespace RealtimeAspire.AppHost;

/// <summary>
/// The example backend of docs/server-api.md, started only with <c>Examples:OrderUpdates=true</c>: an Aspire project
/// that references the Gateway and calls the server API with a client of its own, declared here like an operator would
/// (protocol.md §6, <c>ServerApi:Clients</c>), its secret kept in the data folder.
/// </summary>
public static class OrderUpdatesExample
{
    public const string ResourceName = "order-updates";
    public const string ClientId = "order-updates";

    // Past the indexes an operator is likely to use in ServerApi:Clients.
    private const int DeclaredClientIndex = 99;

    public static void AddOrderUpdatesExample(
        this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> gateway,
        IResourceBuilder<ProjectResource> authService, IResourceBuilder<ProjectResource> messageService)
    {
        if (!builder.Configuration.GetValue<bool>("Examples:OrderUpdates"))
        {
            return;
        }

        var secret = builder.AddDataFolderSecret("order-updates-client-secret");
        var client = $"ServerApi__Clients__{DeclaredClientIndex}__";
        authService
            .WithEnvironment(client + "Id", ClientId)
            .WithEnvironment(client + "Name", "Order updates (example)")
            .WithEnvironment(client + "Secret", secret)
            .WithEnvironment(client + "Scopes", "rooms:publish webhooks:manage");
        // The example's webhook endpoint is on this machine's loopback.
        messageService.WithEnvironment("ServerApi__Webhooks__AllowPrivateAddresses", "true");

        var example = builder.AddProject<Projects.OrderUpdates>(ResourceName)
            .WithFreeProxyPort()
            .WithHttpHealthCheck("/health")
            .WithReference(gateway).WaitFor(gateway)
            .WithEnvironment("RealtimeServer__ClientId", ClientId)
            .WithEnvironment("RealtimeServer__ClientSecret", secret);
        example.WithEnvironment("OrderUpdates__WebhookUrl",
            ReferenceExpression.Create($"{example.GetEndpoint("http")}/webhooks/realtime"));
    }
}
