using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.IdentityModel.JsonWebTokens;
using RealtimeAspire.Tests.Auth;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RealtimeAspire.Tests.Reliability;

/// <summary>
/// A bounded HTTP fuzz through the Gateway: a seeded sample of every route × method × Accept × content type × body
/// × token (<see cref="HttpFuzzCases"/>). Every answer is checked by <see cref="HttpAnswers"/> (no 5xx, every 4xx
/// a problem with a documented title, no leak), and no service logs an unhandled exception meanwhile.
/// </summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class HttpFuzzTests(RealtimeAppFixture fixture, ITestOutputHelper output)
{
    private const int Seed = 22;
    private const int Lanes = 8;
    // Each lane moves to a new source address after this many requests, staying under the Gateway's per-address
    // limit on /api/auth (a fifth of the routes) so that the requests reach AuthService.
    private const int RequestsPerAddress = 400;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly string[] Services = TestSystem.ProjectResources;

    [Fact]
    public async Task Hostile_requests_get_no_server_error_and_every_error_is_a_documented_problem_that_leaks_nothing()
    {
        var count = ReliabilityReport.Count(ci: 5_000, @long: 50_000);
        using var http = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(http, "httpfuzz");
        using var impostor = new TestSigningKey(new JsonWebToken(user.AccessToken).Kid);
        var tokens = new Dictionary<string, string?>
        {
            ["none"] = null,
            ["garbage"] = ForgedTokens.Forge("garbage", impostor),
            ["forged"] = ForgedTokens.Forge("other-key-with-published-kid", impostor, user.UserId, user.Username),
            ["expired"] = ForgedTokens.Forge("expired", impostor, user.UserId, user.Username),
            ["valid"] = user.AccessToken,
        };
        var answers = HttpAnswers.For(fixture.App);
        var unhandledBefore = await CountUnhandledExceptionsAsync();
        var cases = HttpFuzzCases.Generate(count, Seed);

        var clock = Stopwatch.StartNew();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, Lanes).Select(lane =>
            RunLaneAsync(cases.Where((_, index) => index % Lanes == lane).ToList(), lane, tokens, answers)));
        clock.Stop();
        var results = outcomes.SelectMany(lane => lane).ToList();
        var unhandledAfter = await CountUnhandledExceptionsAsync();
        // What the services said about failures, for the report: the exceptions they logged (each once).
        var logged = new Dictionary<string, List<string>>();
        foreach (var service in Services)
        {
            var lines = await fixture.App.ReadAllLogsAsync(service, Timeout);
            logged[service] = lines.Select((line, index) => (line, index))
                .Where(entry => entry.line.Contains(": Yarp", StringComparison.Ordinal) || entry.line.Contains("unhandled exception", StringComparison.OrdinalIgnoreCase))
                .Select(entry => string.Join(" | ", lines.Skip(entry.index).Take(4).Select(WithoutTimestamp)))
                .GroupBy(text => text).Select(group => $"{group.Count()} × {group.Key}").Take(15).ToList();
        }

        // Leaks first: they are the rarest and the worst.
        var wrong = results.Where(result => result.Wrong is not null)
            .OrderBy(result => result.Wrong!.StartsWith("leak", StringComparison.Ordinal) ? 0 : 1).ToList();
        var unhandled = Services.ToDictionary(service => service, service => unhandledAfter[service] - unhandledBefore[service]);

        new ReliabilityReport("hostile-http-fuzz", output)
            .Set("requests", results.Count)
            .Set("seconds", Math.Round(clock.Elapsed.TotalSeconds, 1))
            .Set("byStatus", results.Where(r => !r.CutOff).GroupBy(r => r.Status).OrderBy(g => g.Key).ToDictionary(g => g.Key.ToString(), g => g.Count()))
            .Set("byTitle", results.Where(r => r.Title is not null).GroupBy(r => r.Title!).OrderByDescending(g => g.Count())
                .ToDictionary(g => g.Key, g => g.Count()))
            .Set("uploadsCutOff", results.Count(r => r.CutOff))
            .Set("serverErrors", results.Count(r => r.Status >= 500))
            .Set("leaks", wrong.Count(r => r.Wrong!.StartsWith("leak", StringComparison.Ordinal)))
            .Set("wrong", wrong.Count)
            .Set("unhandledExceptionLogLines", unhandled)
            .Set("exceptionsLogged", logged)
            .Set("firstWrong", wrong.Take(20).Select(r => $"{r.Case} → {r.Status} {r.Wrong}"))
            .Write();

        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong.Take(20).Select(r => $"{r.Case} → {r.Wrong}")));
        Assert.All(unhandled, service => Assert.Equal(0, service.Value));
    }

    private async Task<List<FuzzResult>> RunLaneAsync(
        List<HttpFuzzCase> cases, int lane, IReadOnlyDictionary<string, string?> tokens, HttpAnswers answers)
    {
        var results = new List<FuzzResult>(cases.Count);
        foreach (var (batch, index) in cases.Chunk(RequestsPerAddress).Select((batch, index) => (batch, index)))
        {
            using var client = LoopbackClient.From($"127.0.{40 + lane}.{1 + index}", fixture.GatewayUri);
            foreach (var fuzz in batch)
            {
                using var request = HttpFuzzCases.ToRequest(fuzz, tokens);
                using var timeout = new CancellationTokenSource(Timeout);
                try
                {
                    using var response = await client.SendAsync(request, timeout.Token).WaitAsync(Timeout);
                    var (wrong, title) = await answers.CheckAsync(response, timeout.Token).WaitAsync(Timeout);
                    results.Add(new FuzzResult(fuzz, (int)response.StatusCode, title, wrong));
                }
                catch (HttpRequestException e) when (fuzz.Body == "1-mib" && e.InnerException is IOException { InnerException: SocketException })
                {
                    // A mebibyte that the service never reads: the Gateway answers and closes while the body is still
                    // being written, as HTTP allows, and HttpClient reports the write instead of the answer.
                    results.Add(new FuzzResult(fuzz, 0, null, null, CutOff: true));
                }
                catch (HttpRequestException e)
                {
                    // No answer at all (a broken response) counts against the run like a wrong one.
                    results.Add(new FuzzResult(fuzz, 0, null, $"no answer: {e.InnerException?.Message ?? e.Message}"));
                }
            }
        }

        return results;
    }

    /// <summary>Lines about an unhandled exception each service has logged, once its log has stopped growing.</summary>
    private async Task<Dictionary<string, int>> CountUnhandledExceptionsAsync()
    {
        var counts = new Dictionary<string, int>();
        foreach (var service in Services)
        {
            // Logs reach the AppHost a little after they are written: read until two reads a second apart agree.
            var lines = await fixture.App.ReadAllLogsAsync(service, Timeout);
            for (var read = 0; read < 30; read++)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
                var again = await fixture.App.ReadAllLogsAsync(service, Timeout);
                var settled = again.Count == lines.Count;
                lines = again;
                if (settled)
                {
                    break;
                }
            }

            counts[service] = lines.Count(line => line.Contains("unhandled exception", StringComparison.OrdinalIgnoreCase));
        }

        return counts;
    }

    // Resource log lines start with their timestamp ("2026-12-02T11:40:23.6020000Z ").
    private static string WithoutTimestamp(string line) => line.Length > 29 && line[4] == '-' && line[10] == 'T' ? line[29..].Trim() : line.Trim();

    private sealed record FuzzResult(HttpFuzzCase Case, int Status, string? Title, string? Wrong, bool CutOff = false);
}
