using System.Diagnostics;
using System.Text.Json;
using StackExchange.Redis;

namespace RealtimeAspire.MessageService.Rooms;

/// <summary>Cluster-wide orders to the ConnectionService replicas, on channel <c>rt:control</c>.</summary>
public sealed class RoomControl(IConnectionMultiplexer redis)
{
    private sealed record KickOrder(string Type, string Room, string UserId);

    /// <summary>Makes every live connection of the user leave the room, on every replica.</summary>
    public Task PublishKickAsync(string room, string userId) =>
        PublishAsync(JsonSerializer.Serialize(new KickOrder("kick", room, userId), JsonSerializerOptions.Web));

    private async Task PublishAsync(string json)
    {
        // Payload: "<traceparent>\n<json>", so the replicas continue this request's trace.
        var payload = $"{Activity.Current?.Id}\n{json}";
        await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(RedisSchema.ControlChannel), payload);
    }
}
