using System.Net.Http.Json;
using System.Text.Json;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.ServerSdk;

/// <summary>The system with the example backend of docs/server-api.md (Examples:OrderUpdates=true).</summary>
public sealed class OrderUpdatesAppFixture : RealtimeAppFixture
{
    protected override IEnumerable<string> Settings => ["--Examples:OrderUpdates=true"];
}

[CollectionDefinition(Name)]
public sealed class OrderUpdatesAppCollection : ICollectionFixture<OrderUpdatesAppFixture>
{
    public const string Name = "realtime-app-order-updates-example";
}

/// <summary>
/// The runnable example works as its docs say: an Aspire project that references the Gateway publishes with the SDK,
/// a customer in the order's room sees it live, and the backend's own webhook receives the signed message.created.
/// </summary>
[Collection(OrderUpdatesAppCollection.Name)]
public sealed class OrderUpdatesExampleTests(OrderUpdatesAppFixture fixture)
{
    private static readonly TimeSpan Timeout = RealtimeTestKit.Timeout;

    [Fact]
    public async Task An_order_update_reaches_the_customer_live_and_comes_back_to_the_backend_as_a_webhook()
    {
        using var gateway = fixture.CreateGatewayClient();
        var customer = await RealtimeTestClient.CreateUserAsync(gateway, "shopper");
        var orderId = Guid.NewGuid().ToString("N")[..12];
        await using var socket = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, customer);
        await socket.JoinAsync($"orders-{orderId}");

        using var backend = fixture.App.CreateHttpClient("order-updates", "http");
        var published = await PublishWhenSubscribedAsync(backend, orderId);

        var live = await socket.WaitForAsync("message", frame => frame.Str("messageId") == published.GetProperty("messageId").GetString());
        Assert.Equal("shipped", live.GetProperty("data").GetProperty("status").GetString());
        Assert.Equal("client:order-updates", live.Str("userId"));

        var messageId = published.GetProperty("messageId").GetString()!;
        await UntilAsync(async () =>
        {
            var received = await backend.GetFromJsonAsync<JsonElement>("/webhooks/received").WaitAsync(Timeout);
            return received.EnumerateArray().Any(delivery =>
                delivery.GetProperty("type").GetString() == "message.created" && delivery.GetProperty("data").ToString().Contains(messageId));
        });
    }

    /// <summary>The backend subscribes its webhook at start-up, in the background; an update published before that would arrive unobserved.</summary>
    private static async Task<JsonElement> PublishWhenSubscribedAsync(HttpClient backend, string orderId)
    {
        // Before the subscription exists a delivery is answered 503 (retry later); after it, an unsigned one gets 401.
        await UntilAsync(async () =>
        {
            using var probe = await backend.PostAsync("/webhooks/realtime", new StringContent("{}")).WaitAsync(Timeout);
            return probe.StatusCode == System.Net.HttpStatusCode.Unauthorized;
        });

        using var response = await backend.PostAsJsonAsync($"/orders/{orderId}/status", new { status = "shipped", changeId = Guid.NewGuid().ToString("N") }).WaitAsync(Timeout);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>().WaitAsync(Timeout);
    }

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!await condition())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), deadline.Token);
        }
    }
}
