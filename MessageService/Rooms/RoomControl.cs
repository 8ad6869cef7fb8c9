using System.Diagnostics;
using RealtimeAspire.Contracts.Frames;
using StackExchange.Redis;

namespace RealtimeAspire.MessageService.Rooms;

/// <summary>Cluster-wide orders to the ConnectionService replicas, on channel <c>rt:control</c>.</summary>
public sealed class RoomControl(IConnectionMultiplexer redis)
{
    /// <summary>Makes every live connection of the user leave the room, on every replica.</summary>
    public Task PublishKickAsync(string room, string userId) =>
        PublishAsync(new ControlOrder(ControlOrder.Kick, Room: room, UserId: userId));

    /// <summary>Makes every replica forget its cached join grant of the user for the room.</summary>
    public Task PublishForgetAccessAsync(string room, string userId) =>
        PublishAsync(new ControlOrder(ControlOrder.ForgetAccess, Room: room, UserId: userId));

    private async Task PublishAsync(ControlOrder order)
    {
        // In the envelope, so that the replicas continue this request's trace.
        var payload = Envelope.Encode(Activity.Current?.Id, FrameCodec.EncodeToString(order));
        await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(RedisSchema.ControlChannel), payload);
    }
}
