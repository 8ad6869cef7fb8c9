using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Webhooks;

/// <summary>A receiver registered as a webhook endpoint for one test, deleted and stopped when the test ends.</summary>
public sealed class WebhookTestEndpoint : IAsyncDisposable
{
    private WebhookTestEndpoint(WebhookReceiver receiver, HttpClient server, string id)
    {
        Receiver = receiver;
        Server = server;
        Id = id;
    }

    public WebhookReceiver Receiver { get; }

    /// <summary>A server-API client with <c>webhooks:manage</c>.</summary>
    public HttpClient Server { get; }

    public string Id { get; }

    /// <summary>Starts a receiver answering as <paramref name="answer"/> says (200 when null) and registers it.</summary>
    public static async Task<WebhookTestEndpoint> RegisterAsync(
        ServerApiAppFixture fixture, string[] events, string[]? rooms = null, Func<ReceivedWebhookRequest, Task<int>>? answer = null)
    {
        var receiver = await WebhookReceiver.StartAsync();
        if (answer is not null)
        {
            receiver.Answer = answer;
        }

        var server = fixture.CreateServerClient(await fixture.BackendTokenAsync(Contracts.ServerScopes.WebhooksManage));
        var id = await WebhookEndpoints.RegisterAsync(server, receiver, events, rooms);
        return new WebhookTestEndpoint(receiver, server, id);
    }

    public Task<List<System.Text.Json.JsonElement>> DeliveriesAsync(string? status = null) => WebhookEndpoints.DeliveriesAsync(Server, Id, status);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await WebhookEndpoints.DeleteAsync(Server, Id);
        }
        finally
        {
            Server.Dispose();
            await Receiver.DisposeAsync();
        }
    }
}
