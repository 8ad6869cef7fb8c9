using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.Contracts;
using RealtimeAspire.Contracts.Frames;
using StackExchange.Redis;

namespace RealtimeAspire.ConnectionService.Redis;

/// <summary>
/// Who is in a room across all replicas: the room's presence hash (read by MessageService too) plus, per user, the
/// set of connections there. Entries are leases renewed by their replica, so a dead replica's users age out.
/// </summary>
public sealed class PresenceStore(IConnectionMultiplexer redis, RedisTopology topology, RealtimeOptions options, TimeProvider time)
{
    private IDatabase Database => redis.GetDatabase();

    /// <summary>Enters the room; publishes user_joined when this is the user's first connection there (room.occupied when the room's first).</summary>
    public async Task JoinAsync(string room, string userId, string username, string connectionId)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var expiresAt = now + options.LeaseMs;
        await Database.ScriptEvaluateAsync(RedisScripts.JoinPresence,
            [RedisKeys.Presence(room), RedisKeys.PresenceConnections(room, userId), RedisKeys.WebhookHandoff(room)],
            [now, expiresAt, userId, connectionId, Entry(userId, username, expiresAt), topology.RoomChannel(room).ToString(),
             Frames.RoomUserEnvelope(FrameTypes.UserJoined, room, userId, username), options.LeaseMs, topology.PublishCommand, room, username]);
    }

    /// <summary>Leaves the room; publishes user_left when no connection of the user stays there.</summary>
    public async Task LeaveAsync(string room, string userId, string username, string connectionId)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await Database.ScriptEvaluateAsync(RedisScripts.LeavePresence,
            [RedisKeys.Presence(room), RedisKeys.PresenceConnections(room, userId), RedisKeys.WebhookHandoff(room)],
            [now, userId, connectionId, topology.RoomChannel(room).ToString(),
             Frames.RoomUserEnvelope(FrameTypes.UserLeft, room, userId, username), topology.PublishCommand, room, username]);
    }

    /// <summary>Renews the leases of this replica's connections of one user in one room.</summary>
    public Task RefreshAsync(IBatch batch, string room, string userId, string username, IEnumerable<string> connectionIds)
    {
        var expiresAt = time.GetUtcNow().ToUnixTimeMilliseconds() + options.LeaseMs;
        RedisValue[] args = [expiresAt, userId, Entry(userId, username, expiresAt), options.LeaseMs, .. connectionIds.Select(id => (RedisValue)id)];
        return batch.ScriptEvaluateAsync(RedisScripts.RefreshPresence,
            [RedisKeys.Presence(room), RedisKeys.PresenceConnections(room, userId)], args);
    }

    /// <summary>Removes users nobody renewed (their replica is gone), with a user_left for each.</summary>
    public Task ReapAsync(IBatch batch, string room) =>
        batch.ScriptEvaluateAsync(RedisScripts.ReapPresence, [RedisKeys.Presence(room), RedisKeys.WebhookHandoff(room)],
            [time.GetUtcNow().ToUnixTimeMilliseconds(), topology.RoomChannel(room).ToString(), room, topology.PublishCommand]);

    public async Task<IReadOnlyList<PresenceMember>> ListAsync(string room)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var entries = await Database.HashGetAllAsync(RedisKeys.Presence(room));
        var members = new List<PresenceMember>(entries.Length);
        foreach (var entry in entries)
        {
            var value = PresenceEntry.TryRead(entry.Value);
            if (value is not null && value.ExpiresAt > now)
            {
                members.Add(new PresenceMember(value.UserId, value.Username));
            }
        }

        members.Sort((a, b) => string.CompareOrdinal(a.Username, b.Username));
        return members;
    }

    private static string Entry(string userId, string username, long expiresAt) =>
        new PresenceEntry(userId, username, expiresAt).Write();
}
