using System.Net;
using RealtimeAspire.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RealtimeAspire.Tests.Reliability;

/// <summary>
/// Cross-site requests to every real-time path a browser page of another site could open — WebSocket upgrades of
/// /ws and /hub, SignalR's negotiate, long polling and Server-Sent Events — with every kind of foreign or forged
/// Origin: all refused with 403 before a replica sees them, while the Gateway's own origin and clients that send no
/// Origin (not browsers) pass. GatewayHardeningTests checks one foreign upgrade of /ws and /hub; this is the rest.
/// </summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class CrossSiteTests(RealtimeAppFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Every_realtime_path_refuses_foreign_origins_and_lets_the_own_origin_and_non_browsers_through()
    {
        using var http = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(http, "crosssite");
        var own = $"{fixture.GatewayUri.Scheme}://{fixture.GatewayUri.Authority}";
        string[] foreign =
        [
            "https://attacker.example", $"http://{fixture.GatewayUri.Host}.attacker.example:{fixture.GatewayUri.Port}",
            $"http://{fixture.GatewayUri.Host}:{fixture.GatewayUri.Port + 1}", "null", $"ws://{fixture.GatewayUri.Authority}",
            $"https://attacker.example, {own}", "file://", "not a url",
        ];
        var token = Uri.EscapeDataString(user.AccessToken);
        var paths = new (string Name, Func<string?, Task<int>> Send)[]
        {
            ("ws-upgrade", origin => UpgradeAsync("/ws", origin)),
            ("ws-upgrade-with-token", origin => UpgradeAsync($"/ws?access_token={token}", origin)),
            ("hub-upgrade", origin => UpgradeAsync($"/hub?id=unknown&access_token={token}", origin)),
            ("hub-negotiate", origin => HttpAsync(HttpMethod.Post, $"/hub/negotiate?negotiateVersion=1&access_token={token}", origin)),
            ("hub-long-polling", origin => HttpAsync(HttpMethod.Get, $"/hub?id=unknown&access_token={token}", origin)),
            ("hub-server-sent-events", origin => HttpAsync(HttpMethod.Get, $"/hub?id=unknown&access_token={token}", origin, "text/event-stream")),
        };

        var answers = new Dictionary<string, Dictionary<string, int>>();
        foreach (var (name, send) in paths)
        {
            var byOrigin = answers[name] = [];
            foreach (var origin in foreign)
            {
                byOrigin[origin] = await send(origin);
            }

            byOrigin["(own)"] = await send(own);
            byOrigin["(own, upper case)"] = await send(own.ToUpperInvariant());
            byOrigin["(none)"] = await send(null);
        }

        new ReliabilityReport("hostile-cross-site", output)
            .Set("foreignOrigins", foreign.Length)
            .Set("answers", answers)
            .Write();

        foreach (var (name, byOrigin) in answers)
        {
            Assert.All(foreign, origin => Assert.True(byOrigin[origin] == 403, $"{name} from {origin}: {byOrigin[origin]}"));
            Assert.All(["(own)", "(own, upper case)", "(none)"], origin => Assert.True(byOrigin[origin] != 403, $"{name} from {origin}: 403"));
        }

        // What the own origin and non-browsers reach: an accepted upgrade, a negotiation.
        Assert.Equal(101, answers["ws-upgrade-with-token"]["(own)"]);
        Assert.Equal(200, answers["hub-negotiate"]["(none)"]);
    }

    private Task<int> UpgradeAsync(string pathAndQuery, string? origin) =>
        RawWebSocket.UpgradeStatusAsync(fixture.GatewayUri, pathAndQuery, origin is null ? [] : [("Origin", origin)]);

    private async Task<int> HttpAsync(HttpMethod method, string pathAndQuery, string? origin, string? accept = null)
    {
        using var client = fixture.CreateGatewayClient();
        using var request = new HttpRequestMessage(method, pathAndQuery);
        if (origin is not null)
        {
            request.Headers.TryAddWithoutValidation("Origin", origin);
        }

        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout);
        return (int)response.StatusCode;
    }
}
