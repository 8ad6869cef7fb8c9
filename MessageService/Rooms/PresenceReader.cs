using StackExchange.Redis;

namespace RealtimeAspire.MessageService.Rooms;

/// <summary>
/// Reads who is in a room from the presence hash ConnectionService keeps (<see cref="RedisSchema.Presence"/>):
/// expired entries are a dead replica's leftovers.
/// </summary>
public sealed class PresenceReader(IConnectionMultiplexer redis, TimeProvider time)
{
    public async Task<IReadOnlyList<RoomMemberResponse>> ReadAsync(string room)
    {
        var entries = await redis.GetDatabase().HashGetAllAsync(RedisSchema.Presence(room));
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();

        return entries
            .Select(entry => PresenceEntry.TryRead(entry.Value))
            .Where(value => value is { UserId: not null, Username: not null } && value.ExpiresAt > now)
            .DistinctBy(value => value!.UserId)
            .Select(value => new RoomMemberResponse(value!.UserId, value.Username))
            .OrderBy(member => member.Username, StringComparer.Ordinal)
            .ToList();
    }
}
