using System.Diagnostics;
using System.Text.Json;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;
using RealtimeAspire.Tests.Reliability;

namespace RealtimeAspire.Tests.SignalR;

/// <summary>
/// The JavaScript SignalR client (<c>@microsoft/signalr</c> from npm, in Node, <c>Tests/SignalR/node</c>) over each
/// transport through the Gateway, keeping no cookie: every request after negotiate must still reach the replica that
/// issued the connection.
/// </summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class NodeSignalRTests(RealtimeAppFixture fixture)
{
    private static readonly TimeSpan ScenarioTimeout = TimeSpan.FromSeconds(120);

    [Theory]
    [InlineData("WebSockets")]
    [InlineData("ServerSentEvents")]
    [InlineData("LongPolling")]
    public async Task The_node_client_without_cookies_joins_sends_and_receives_on_both_replicas(string transport)
    {
        using var http = fixture.CreateGatewayClient();
        var users = new List<TestUser>();
        for (var i = 0; i < 3; i++)
        {
            users.Add(await RealtimeTestClient.CreateUserAsync(http, "node"));
        }

        var room = RealtimeTestKit.NewRoom("node");

        var output = await RunScenarioAsync([fixture.GatewayUri.ToString(), transport, room, .. users.Select(user => user.AccessToken)]);

        var result = JsonDocument.Parse(output).RootElement;
        var replicas = result.GetProperty("replicas").EnumerateArray().Select(replica => replica.GetString()).ToList();
        var acks = result.GetProperty("acks").EnumerateArray().ToList();
        var received = result.GetProperty("received").EnumerateArray()
            .Select(messages => messages.EnumerateArray().Select(message => (message.Seq(), message.Str("content"))).ToList())
            .ToList();

        Assert.Equal(["connection-service-1", "connection-service-2"], replicas.Order());
        Assert.Equal([("ack", 1L), ("ack", 2L)], acks.Select(ack => (ack.Type(), ack.Seq())));
        Assert.All(received, messages => Assert.Equal([(1L, "from node client 0"), (2L, "from node client 1")], messages));
    }

    private static async Task<string> RunScenarioAsync(IEnumerable<string> arguments)
    {
        var folder = await NodeModules.EnsureInstalledAsync();
        var startInfo = new ProcessStartInfo("node") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        startInfo.ArgumentList.Add("hub-scenario.mjs");
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(ScenarioTimeout);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        Assert.True(process.ExitCode == 0, $"The node scenario failed: {await stderr}");
        return await stdout;
    }

    /// <summary>The Node package of the scenario, installed by scripts/setup.sh or, when missing, here (npm ci).</summary>
    private static class NodeModules
    {
        private static readonly SemaphoreSlim Installing = new(1, 1);

        public static async Task<string> EnsureInstalledAsync()
        {
            var folder = Path.Combine(ReliabilityReport.RepositoryRoot(), "Tests", "SignalR", "node");
            await Installing.WaitAsync();
            try
            {
                if (!Directory.Exists(Path.Combine(folder, "node_modules", "@microsoft", "signalr")))
                {
                    using var npm = Process.Start(new ProcessStartInfo("npm", "ci --no-audit --no-fund") { WorkingDirectory = folder })!;
                    await npm.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
                    Assert.Equal(0, npm.ExitCode);
                }

                return folder;
            }
            finally
            {
                Installing.Release();
            }
        }
    }
}
