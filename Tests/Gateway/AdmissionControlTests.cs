using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using RealtimeAspire.Tests.Infrastructure;
using RealtimeAspire.Tests.Observability;

namespace RealtimeAspire.Tests.Gateway;

[Collection(AdmissionCollection.Name)]
public sealed class AdmissionControlTests(AdmissionFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly IPAddress OtherAddress = IPAddress.Parse("127.0.0.2");

    private readonly List<ClientWebSocket> _open = [];

    // Every connection of an earlier test must have left the Gateway's count.
    public Task InitializeAsync() => WaitForActiveConnectionsAsync(0);

    [Fact]
    public async Task At_its_cap_the_gateway_refuses_new_connections_with_503_and_retry_after_without_contacting_a_replica()
    {
        using var http = fixture.CreateGatewayClient();
        // Two users: one may hold only 5 connections, and a sixth would close its oldest.
        TestUser[] users = [await RealtimeTestClient.CreateUserAsync(http, "cap"), await RealtimeTestClient.CreateUserAsync(http, "cap")];
        var admitted = new List<Upgrade>();
        for (var i = 0; i < AdmissionFixture.MaxConnections; i++)
        {
            admitted.Add(await UpgradeAsync($"/ws?access_token={users[i % 2].AccessToken}"));
        }

        var upgradesBefore = await ReplicaUpgradesAsync();
        var refused = await UpgradeAsync($"/ws?access_token={users[0].AccessToken}");
        var refusedHub = await UpgradeAsync($"/hub?id=any&access_token={users[0].AccessToken}");
        var upgradesAfter = await ReplicaUpgradesAsync();
        using var negotiate = await SendAsync(http, HttpMethod.Post, "/hub/negotiate?negotiateVersion=1", users[1].AccessToken);
        var negotiateBody = await negotiate.Content.ReadAsStringAsync();
        var refusals = (await GatewayMetricsAsync()).Sum("gateway_connections_refused_total", ("reason", "over_capacity"));

        Assert.All(admitted, upgrade => Assert.Equal((HttpStatusCode.SwitchingProtocols, true), (upgrade.Status, upgrade.Replica is not null)));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, null, "5"), (refused.Status, refused.Replica, refused.RetryAfter));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, null), (refusedHub.Status, refusedHub.Replica));
        Assert.Equal(upgradesBefore, upgradesAfter);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, negotiate.StatusCode);
        Assert.Equal("application/problem+json", negotiate.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"title\":\"over_capacity\"", negotiateBody);
        Assert.Equal(TimeSpan.FromSeconds(5), negotiate.Headers.RetryAfter?.Delta);
        Assert.False(negotiate.Headers.Contains(ReplicaProbe.ReplicaHeader));
        Assert.Equal(3, refusals);

        // A connection that ends makes room for a new one.
        await _open[0].CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).WaitAsync(Timeout);
        await WaitForActiveConnectionsAsync(AdmissionFixture.MaxConnections - 1);
        var afterOneLeft = await UpgradeAsync($"/ws?access_token={users[0].AccessToken}");
        Assert.Equal(HttpStatusCode.SwitchingProtocols, afterOneLeft.Status);
    }

    [Fact]
    public async Task An_address_may_hold_only_a_few_connections_without_a_token_and_others_are_unaffected()
    {
        using var http = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(http, "anon");
        var anonymous = new List<Upgrade>();
        for (var i = 0; i < AdmissionFixture.MaxUnauthenticatedPerAddress; i++)
        {
            anonymous.Add(await UpgradeAsync("/ws", OtherAddress));
        }

        var refused = await UpgradeAsync("/ws", OtherAddress);
        using var otherHttp = ClientFrom(OtherAddress);
        using var refusedStream = await SendAsync(otherHttp, HttpMethod.Get, "/hub?id=any", token: null, eventStream: true);
        var refusedStreamBody = await refusedStream.Content.ReadAsStringAsync();
        var withToken = await UpgradeAsync($"/ws?access_token={user.AccessToken}", OtherAddress);
        var fromElsewhere = await UpgradeAsync("/ws");

        Assert.All(anonymous, upgrade => Assert.Equal(HttpStatusCode.SwitchingProtocols, upgrade.Status));
        Assert.Equal((HttpStatusCode.TooManyRequests, null), (refused.Status, refused.Replica));
        Assert.InRange(int.Parse(refused.RetryAfter!), 1, 10);
        Assert.Equal(HttpStatusCode.TooManyRequests, refusedStream.StatusCode);
        Assert.Equal("application/problem+json", refusedStream.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"title\":\"too_many_unauthenticated_connections\"", refusedStreamBody);
        Assert.NotNull(refusedStream.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.SwitchingProtocols, withToken.Status);
        Assert.Equal(HttpStatusCode.SwitchingProtocols, fromElsewhere.Status);
    }

    public Task DisposeAsync()
    {
        foreach (var socket in _open)
        {
            socket.Dispose();
        }

        return Task.CompletedTask;
    }

    private sealed record Upgrade(HttpStatusCode Status, string? Replica, string? RetryAfter);

    /// <summary>Opens a WebSocket through the Gateway (kept open until the test ends) or records its refusal.</summary>
    private async Task<Upgrade> UpgradeAsync(string pathAndQuery, IPAddress? from = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        var uri = new Uri(new UriBuilder(fixture.GatewayUri) { Scheme = "ws" }.Uri, pathAndQuery);
        using var invoker = from is null ? null : new HttpMessageInvoker(LoopbackClient.Handler(from));
        try
        {
            await socket.ConnectAsync(uri, invoker, CancellationToken.None).WaitAsync(Timeout);
            _open.Add(socket);
        }
        catch (WebSocketException)
        {
            socket.Dispose();
        }

        var headers = socket.HttpResponseHeaders;
        return new Upgrade(socket.HttpStatusCode, Header(headers, ReplicaProbe.ReplicaHeader), Header(headers, "Retry-After"));
    }

    private static string? Header(IReadOnlyDictionary<string, IEnumerable<string>>? headers, string name) =>
        headers?.FirstOrDefault(header => string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.Single();

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string? token, bool eventStream = false)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (eventStream)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        }

        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout);
    }

    /// <summary>WebSocket upgrades both replicas accepted so far.</summary>
    private async Task<double> ReplicaUpgradesAsync()
    {
        var total = 0d;
        foreach (var replica in new[] { "connection-service-1", "connection-service-2" })
        {
            using var client = fixture.App.CreateHttpClient(replica, "http");
            total += (await PrometheusScrape.ReadAsync(client)).Sum("websocket_connections_total");
        }

        return total;
    }

    private async Task<PrometheusScrape> GatewayMetricsAsync()
    {
        using var management = fixture.App.CreateHttpClient("gateway", "management");
        return await PrometheusScrape.ReadAsync(management);
    }

    private async Task WaitForActiveConnectionsAsync(int count)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while ((await GatewayMetricsAsync()).Sum("gateway_connections_active") != count)
        {
            await Task.Delay(100, timeout.Token);
        }
    }

    private HttpClient ClientFrom(IPAddress localAddress) => LoopbackClient.From(localAddress, fixture.GatewayUri, Timeout);
}
