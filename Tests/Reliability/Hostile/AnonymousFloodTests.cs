using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RealtimeAspire.Tests.Reliability;

/// <summary>
/// A flood of WebSocket connections that never authenticate, through the Gateway of the short-timing system
/// (3 s authentication timeout): every one gets <c>welcome</c> and is closed with 4408; the replicas and the
/// Gateway keep their pid and health, their memory stays bounded, and a real client still gets in afterwards.
/// </summary>
[Collection(ConnectionLimitsCollection.Name)]
public sealed class AnonymousFloodTests(ConnectionLimitsFixture fixture, ITestOutputHelper output)
{
    private const int Parallel = 250;
    private const long MemoryGrowthBoundKiB = 256 * 1024;
    private static readonly string[] Services = ["connection-service-1", "connection-service-2", "gateway"];

    [Fact]
    public async Task Connections_that_never_authenticate_are_all_closed_with_4408_and_memory_stays_bounded()
    {
        var count = ReliabilityReport.Count(ci: 1_000, @long: 5_000);
        var before = Services.Select(service => ServiceProcess.Of(fixture.App, service)).ToList();
        var closes = new Dictionary<string, int>();
        var welcomed = 0;
        var peak = before.ToDictionary(process => process.Resource, process => process.RssKiB);

        // Waves of parallel connections, each kept open until the server closes it.
        foreach (var wave in Enumerable.Range(0, count).Chunk(Parallel))
        {
            var outcomes = await Task.WhenAll(wave.Select(async _ =>
            {
                await using var socket = await RawWebSocket.ConnectAsync(fixture.GatewayUri);
                await socket.ExpectAsync("welcome");
                var code = await socket.WaitForCloseAsync(TimeSpan.FromSeconds(30));
                return code is { } value ? value.ToString() : "dropped";
            }));

            welcomed += outcomes.Length;
            foreach (var outcome in outcomes)
            {
                closes[outcome] = closes.GetValueOrDefault(outcome) + 1;
            }

            foreach (var service in Services)
            {
                peak[service] = Math.Max(peak[service], ServiceProcess.Of(fixture.App, service).RssKiB);
            }
        }

        var after = Services.Select(service => ServiceProcess.Of(fixture.App, service)).ToList();
        using var http = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(http, "afterflood");
        await using var client = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user);
        await client.SendAsync(new { type = "ping" });
        await client.ExpectAsync("pong");

        new ReliabilityReport("hostile-anonymous-flood", output)
            .Set("connections", count)
            .Set("parallel", Parallel)
            .Set("authTimeoutMs", ConnectionLimitsFixture.AuthTimeoutMs)
            .Set("welcomed", welcomed)
            .Set("closesByCode", closes)
            .Set("processes", before.Zip(after, (b, a) => new
            {
                b.Resource, pidBefore = b.Pid, pidAfter = a.Pid, rssKiBBefore = b.RssKiB, rssKiBPeak = peak[b.Resource], rssKiBAfter = a.RssKiB,
            }))
            .Write();

        Assert.Equal(count, welcomed);
        Assert.Equal(count, closes.GetValueOrDefault("4408"));
        await ServiceProcess.AssertUnharmedAsync(fixture.App, before, after, MemoryGrowthBoundKiB);
    }
}
