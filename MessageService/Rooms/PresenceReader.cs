using System.Text.Json;
using StackExchange.Redis;

namespace RealtimeAspire.MessageService.Rooms;

/// <summary>
/// Reads who is in a room from the presence hash ConnectionService keeps (docs/architecture.md):
/// values are <c>{"userId","username","expiresAt"}</c>; expired values are a dead replica's leftovers.
/// </summary>
public sealed class PresenceReader(IConnectionMultiplexer redis, TimeProvider time)
{
    private sealed record PresenceValue(string? UserId, string? Username, long ExpiresAt);

    public async Task<IReadOnlyList<RoomMemberResponse>> ReadAsync(string room)
    {
        var entries = await redis.GetDatabase().HashGetAllAsync(RedisKeys.Presence(room));
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();

        return entries
            .Select(entry => Parse(entry.Value))
            .Where(value => value is { UserId: not null, Username: not null } && value.ExpiresAt > now)
            .DistinctBy(value => value!.UserId)
            .Select(value => new RoomMemberResponse(value!.UserId!, value.Username!))
            .OrderBy(member => member.Username, StringComparer.Ordinal)
            .ToList();
    }

    private static PresenceValue? Parse(RedisValue json)
    {
        try
        {
            return json.IsNullOrEmpty ? null : JsonSerializer.Deserialize<PresenceValue>((string)json!, JsonSerializerOptions.Web);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
