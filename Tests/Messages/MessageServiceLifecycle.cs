using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Messages;

/// <summary>Stops and starts the shared app's MessageService through Aspire's resource commands.</summary>
public static class MessageServiceLifecycle
{
    public const string Resource = "message-service";

    private static readonly TimeSpan ResourceTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Stops MessageService and waits until it no longer answers.</summary>
    public static async Task StopAsync(RealtimeAppFixture fixture)
    {
        // The command may report failure: in tests every service flushes telemetry to an OTLP endpoint nobody
        // listens on, which can outlast the orchestrator's stop timeout; the process is ended all the same.
        await fixture.App.ResourceCommands.ExecuteCommandAsync(Resource, "resource-stop").WaitAsync(ResourceTimeout);

        using var client = fixture.App.CreateHttpClient(Resource, "http");
        client.Timeout = TimeSpan.FromSeconds(2);
        var deadline = DateTimeOffset.UtcNow + ResourceTimeout;
        while (await AnswersAsync(client))
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "MessageService still answers after being stopped");
            await Task.Delay(500);
        }
    }

    /// <summary>Starts MessageService again and waits until it is healthy (migrated, consuming).</summary>
    public static async Task StartAsync(RealtimeAppFixture fixture)
    {
        var started = await fixture.App.ResourceCommands.ExecuteCommandAsync(Resource, "resource-start").WaitAsync(ResourceTimeout);
        Assert.True(started.Success, started.Message);
        await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync(Resource).WaitAsync(ResourceTimeout);
    }

    private static async Task<bool> AnswersAsync(HttpClient client)
    {
        try
        {
            using var response = await client.GetAsync("/alive");
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
