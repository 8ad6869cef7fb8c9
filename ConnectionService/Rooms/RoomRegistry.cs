using System.Diagnostics;
using RealtimeAspire.ConnectionService.Redis;
using StackExchange.Redis;

namespace RealtimeAspire.ConnectionService.Rooms;

/// <summary>
/// The rooms that have members on this replica. Each such room has one Redis channel subscription, whose messages
/// are handled one at a time (so order per room holds) and written once, as shared bytes, to every local member.
/// </summary>
public sealed class RoomRegistry(IConnectionMultiplexer redis, RealtimeMetrics metrics, TimeProvider time, ILogger<RoomRegistry> logger)
{
    private readonly Lock _sync = new();
    private readonly Dictionary<string, LocalRoom> _rooms = new(StringComparer.Ordinal);

    public int Count
    {
        get
        {
            lock (_sync)
            {
                return _rooms.Count;
            }
        }
    }

    public string[] RoomIds()
    {
        lock (_sync)
        {
            return [.. _rooms.Keys];
        }
    }

    public RoomMembership[] Members(string room)
    {
        lock (_sync)
        {
            return _rooms.TryGetValue(room, out var local) ? local.Members : [];
        }
    }

    /// <summary>Adds the member; returns once this replica receives the room's live events.</summary>
    public Task AddAsync(RoomMembership membership)
    {
        LocalRoom local;
        lock (_sync)
        {
            if (!_rooms.TryGetValue(membership.Room, out local!))
            {
                local = new LocalRoom(membership.Room);
                _rooms[membership.Room] = local;
                local.Subscribed = SubscribeAsync(local);
            }

            local.Members = [.. local.Members, membership];
        }

        return local.Subscribed;
    }

    public void Remove(RoomMembership membership)
    {
        LocalRoom? emptied = null;
        lock (_sync)
        {
            if (!_rooms.TryGetValue(membership.Room, out var local))
            {
                return;
            }

            local.Members = Array.FindAll(local.Members, member => member != membership);
            if (local.Members.Length == 0)
            {
                _rooms.Remove(membership.Room);
                emptied = local;
            }
        }

        if (emptied is not null)
        {
            _ = UnsubscribeAsync(emptied);
        }
    }

    private async Task SubscribeAsync(LocalRoom local)
    {
        var queue = await redis.GetSubscriber().SubscribeAsync(RedisKeys.RoomChannel(local.Room));
        local.Queue = queue;
        // The synchronous handler runs for one message at a time, in the order Redis sent them.
        queue.OnMessage(message => Fanout(local, message.Message));
    }

    private async Task UnsubscribeAsync(LocalRoom local)
    {
        try
        {
            await local.Subscribed;
            if (local.Queue is { } queue)
            {
                await queue.UnsubscribeAsync();
            }
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Unsubscribing from room {Room} failed", local.Room);
        }
    }

    private void Fanout(LocalRoom local, RedisValue payload)
    {
        var roomEvent = RoomEvent.Parse((byte[])payload!);
        // The message's trace continues here, on every replica that delivers it.
        using var activity = roomEvent.Type == "message" && ActivityContext.TryParse(roomEvent.TraceParent, null, out var parent)
            ? RealtimeMetrics.ActivitySource.StartActivity("message fanout", ActivityKind.Consumer, parent)
            : null;
        var members = local.Members;
        activity?.SetTag("realtime.room.local_members", members.Length);
        foreach (var member in members)
        {
            if (roomEvent.IsTyping && member.Connection.User?.UserId == roomEvent.UserId)
            {
                continue;
            }

            member.Deliver(roomEvent);
        }

        if (roomEvent.Timestamp is { } publishedAt)
        {
            metrics.Delivered(members.Length, time.GetUtcNow() - publishedAt);
        }
    }

    private sealed class LocalRoom(string room)
    {
        public string Room { get; } = room;

        /// <summary>Replaced as a whole under the registry's lock, read without it by fanout.</summary>
        public volatile RoomMembership[] Members = [];

        public Task Subscribed { get; set; } = Task.CompletedTask;

        public ChannelMessageQueue? Queue { get; set; }
    }
}
