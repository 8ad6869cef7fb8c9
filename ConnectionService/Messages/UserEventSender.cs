using System.Diagnostics;
using System.Text.Json;
using RealtimeAspire.ConnectionService.Redis;
using RealtimeAspire.Contracts.Frames;
using StackExchange.Redis;

namespace RealtimeAspire.ConnectionService.Messages;

/// <summary>
/// An application backend's <c>event</c> for one user (protocol.md §6): published on the user's channel, which every
/// replica with a live connection of that user subscribes to and passes on to each of them (WebSocket and SignalR); not stored.
/// </summary>
public sealed class UserEventSender(IConnectionMultiplexer redis, RedisTopology topology, UserLimits limits, TimeProvider time)
{
    /// <summary>Sends the event; returns how many live connections the user had when it was sent (docs/protocol.md).</summary>
    public async Task<long> SendAsync(ServerSender sender, string userId, JsonElement data)
    {
        using var activity = RealtimeMetrics.ActivitySource.StartActivity(ActivityKind.Producer, name: "server user event");
        var frame = FrameCodec.Encode(new EventFrame(data, sender.UserId, time.GetUtcNow()));
        // Counted before the publish: a connection is in the user's set only once its replica subscribed to the channel.
        var connections = await limits.CountConnectionsAsync(userId);
        await redis.GetSubscriber().PublishAsync(topology.UserChannel(userId), Envelope.Encode(MessageSender.TraceParent(activity), frame));
        return connections;
    }
}
