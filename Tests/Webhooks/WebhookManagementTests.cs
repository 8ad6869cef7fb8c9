using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RealtimeAspire.Contracts;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Webhooks;

/// <summary>The webhooks:manage API (protocol.md §6): who may call it, what it refuses, and what it lists.</summary>
[Collection(ServerApiAppCollection.Name)]
public sealed class WebhookManagementTests(ServerApiAppFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Without_the_webhooks_manage_scope_the_api_answers_403_and_without_a_token_401()
    {
        using var reader = fixture.CreateServerClient(await fixture.ClientTokenAsync(ServerApiAppFixture.ReaderId, ServerApiAppFixture.ReaderSecret));
        using var publisher = fixture.CreateServerClient(await fixture.BackendTokenAsync(ServerScopes.RoomsPublish));
        using var anonymous = fixture.CreateGatewayClient();
        using var gateway = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(gateway, "whu");
        using var userClient = fixture.CreateGatewayClient();
        userClient.DefaultRequestHeaders.Authorization = new("Bearer", user.AccessToken);

        foreach (var client in new[] { reader, publisher, userClient })
        {
            using var list = await client.GetAsync("/api/server/webhooks").WaitAsync(Timeout);
            Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
            using var create = await client.PostAsJsonAsync("/api/server/webhooks",
                new { url = "http://127.0.0.1:9/hook", events = new[] { WebhookEventTypes.MessageCreated } }).WaitAsync(Timeout);
            Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        }

        using var unauthenticated = await anonymous.GetAsync("/api/server/webhooks").WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1/hook", "message.created", "url")]
    [InlineData("not a url", "message.created", "url")]
    [InlineData("http://127.0.0.1:9/hook", "message.posted", "events")]
    public async Task A_bad_url_or_event_type_is_a_validation_problem(string url, string eventType, string field)
    {
        using var server = fixture.CreateServerClient(await fixture.BackendTokenAsync(ServerScopes.WebhooksManage));
        using var response = await server.PostAsJsonAsync("/api/server/webhooks", new { url, events = new[] { eventType } }).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>().WaitAsync(Timeout);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task A_webhook_is_listed_without_its_secret_and_gone_once_deleted()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var server = fixture.CreateServerClient(await fixture.BackendTokenAsync(ServerScopes.WebhooksManage));
        var prefix = $"wh-list-{Guid.NewGuid():N}"[..20];
        var webhookId = await WebhookEndpoints.RegisterAsync(server, receiver, [WebhookEventTypes.RoomCreated, WebhookEventTypes.MessageCreated], [prefix]);

        var listed = await server.GetFromJsonAsync<JsonElement>("/api/server/webhooks").WaitAsync(Timeout);
        var webhook = listed.GetProperty("webhooks").EnumerateArray().Single(w => w.GetProperty("id").GetString() == webhookId);
        Assert.Equal(receiver.Url.ToString(), webhook.GetProperty("url").GetString());
        Assert.Equal([WebhookEventTypes.RoomCreated, WebhookEventTypes.MessageCreated], webhook.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([prefix], webhook.GetProperty("rooms").EnumerateArray().Select(e => e.GetString()));
        Assert.False(webhook.TryGetProperty("secret", out _));

        var one = await server.GetFromJsonAsync<JsonElement>($"/api/server/webhooks/{webhookId}").WaitAsync(Timeout);
        Assert.False(one.TryGetProperty("secret", out _));

        await WebhookEndpoints.DeleteAsync(server, webhookId);
        using var gone = await server.GetAsync($"/api/server/webhooks/{webhookId}").WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using var deliveries = await server.GetAsync($"/api/server/webhooks/{webhookId}/deliveries?status=failed").WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.NotFound, deliveries.StatusCode);
        using var again = await server.DeleteAsync($"/api/server/webhooks/{webhookId}").WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task The_webhook_call_continues_the_trace_of_the_change_it_reports()
    {
        var room = $"wh-trace-{Guid.NewGuid():N}"[..24];
        await using var endpoint = await WebhookTestEndpoint.RegisterAsync(fixture, [WebhookEventTypes.RoomCreated], [room]);
        using var gateway = fixture.CreateGatewayClient();
        var owner = await RealtimeTestClient.CreateUserAsync(gateway, "wht");
        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/rooms") { Content = JsonContent.Create(new { room, visibility = "public" }) };
        request.Headers.Authorization = new("Bearer", owner.AccessToken);
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        using var response = await gateway.SendAsync(request).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        var created = await endpoint.Receiver.WaitForAsync(w => w.Type == WebhookEventTypes.RoomCreated, Timeout);
        Assert.NotNull(created.TraceParent);
        Assert.Equal(traceId.ToString(), created.TraceParent!.Split('-')[1]);
    }
}
