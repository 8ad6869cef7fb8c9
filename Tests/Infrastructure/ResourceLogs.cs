using Microsoft.Extensions.DependencyInjection;

namespace RealtimeAspire.Tests.Infrastructure;

/// <summary>Reads what a resource of a running system has logged so far.</summary>
public static class ResourceLogs
{
    public static async Task<List<string>> ReadAllLogsAsync(this DistributedApplication app, string resource, TimeSpan timeout)
    {
        var lines = new List<string>();
        var logs = app.Services.GetRequiredService<ResourceLoggerService>();
        // By the model's resource, so that the logs of its running instance are found.
        var model = app.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == resource);
        using var cancellation = new CancellationTokenSource(timeout);
        await foreach (var batch in logs.GetAllAsync(model).WithCancellation(cancellation.Token))
        {
            lines.AddRange(batch.Select(line => line.Content));
        }

        return lines;
    }

    /// <summary>The resource's log once a line holds <paramref name="marker"/> (logs reach the AppHost a little later).</summary>
    public static async Task<List<string>> ReadLogsUntilAsync(this DistributedApplication app, string resource, string marker, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            var lines = await app.ReadAllLogsAsync(resource, timeout);
            if (lines.Any(line => line.Contains(marker, StringComparison.Ordinal)))
            {
                return lines;
            }

            await Task.Delay(500, deadline.Token);
        }
    }
}
