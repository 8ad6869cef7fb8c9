using Microsoft.Extensions.DependencyInjection;

namespace RealtimeAspire.Tests.Gateway;

/// <summary>Stops and starts a ConnectionService replica of the shared system, and waits until that is done.</summary>
public static class ReplicaLifecycle
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static async Task StopAsync(DistributedApplication app, string resource)
    {
        // On a busy machine the command gives up after 20 s while the process is still on its way out;
        // what counts is that the process ends.
        var commands = app.Services.GetRequiredService<ResourceCommandService>();
        await commands.ExecuteCommandAsync(resource, "resource-stop").WaitAsync(Timeout);
        await WaitUntilStoppedAsync(app, resource);
    }

    public static async Task StartAsync(DistributedApplication app, string resource)
    {
        // A stop still under way must end before the replica can start again.
        await WaitUntilStoppedAsync(app, resource);
        var commands = app.Services.GetRequiredService<ResourceCommandService>();
        var result = await commands.ExecuteCommandAsync(resource, "resource-start").WaitAsync(Timeout);
        Assert.True(result.Success, $"resource-start {resource}: {result.Message}");
        await app.ResourceNotifications.WaitForResourceHealthyAsync(resource).WaitAsync(Timeout);
    }

    // Stopped: the process is gone. DCP reports that as Exited or Finished, or, for a process it had to stop
    // the hard way, as Unknown; anything but Starting, Running and Stopping.
    private static async Task WaitUntilStoppedAsync(DistributedApplication app, string resource)
    {
        try
        {
            await app.ResourceNotifications.WaitForResourceAsync(resource,
                e => e.Snapshot.State?.Text is { } state && state != KnownResourceStates.Starting
                    && state != KnownResourceStates.Running && state != KnownResourceStates.Stopping).WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            app.ResourceNotifications.TryGetCurrentState(resource, out var current);
            throw new TimeoutException($"{resource} is still '{current?.Snapshot.State?.Text}' after {Timeout}.");
        }
    }
}
