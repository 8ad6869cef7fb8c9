using StackExchange.Redis;

namespace RealtimeAspire.ConnectionService.Redis;

/// <summary>This replica's subscription to one Redis channel (a room's or a user's), whose queue arrives when the subscribe completes.</summary>
public abstract class ChannelSubscription
{
    public Task Subscribed { get; set; } = Task.CompletedTask;

    public ChannelMessageQueue? Queue { get; set; }

    /// <summary>Ends the subscription, after a subscribe that may still be in flight.</summary>
    public async Task UnsubscribeAsync()
    {
        await Subscribed;
        if (Queue is { } queue)
        {
            await queue.UnsubscribeAsync();
        }
    }
}
