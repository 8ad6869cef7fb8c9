using System.Diagnostics;
using RealtimeAspire.ConnectionService.Redis;
using StackExchange.Redis;

namespace RealtimeAspire.ConnectionService.Rooms;

/// <summary>
/// The rooms that have members on this replica. Each such room has one Redis channel subscription, whose messages
/// are handled one at a time (so order per room holds) and written once, as shared bytes, to every local member.
/// </summary>
/// <remarks>
/// Pub/sub delivers at most once: a message published while this replica's subscription connection is down (a Redis
/// restart, a network cut) never arrives. So each room remembers the last seq it fanned out; a message that arrives
/// with a gap, or a restored subscription connection, first reads the missing seqs from the room's recent stream and
/// delivers them in order (docs/architecture.md, "Pub/sub gaps").
/// </remarks>
public sealed partial class RoomFanout
{
    private readonly Lock _sync = new();
    private readonly Dictionary<string, LocalRoom> _rooms = new(StringComparer.Ordinal);
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisTopology _topology;
    private readonly MessageAppender _store;
    private readonly RealtimeMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<RoomFanout> _logger;

    public RoomFanout(
        IConnectionMultiplexer redis, RedisTopology topology, MessageAppender store, RealtimeMetrics metrics, TimeProvider time, ILogger<RoomFanout> logger)
    {
        (_redis, _topology, _store, _metrics, _time, _logger) = (redis, topology, store, metrics, time, logger);
        redis.ConnectionRestored += (_, restored) =>
        {
            if (restored.ConnectionType == ConnectionType.Subscription)
            {
                _ = CatchUpAllAsync();
            }
        };
    }

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
        // The gate holds fanout back until the room knows where it starts: a message at or before the seq read
        // here is older than every member's join, which reads the seq after this task.
        await local.Gate.WaitAsync();
        try
        {
            var queue = await _redis.GetSubscriber().SubscribeAsync(_topology.RoomChannel(local.Room));
            local.Queue = queue;
            // The handler runs for one message at a time, in the order Redis sent them.
            queue.OnMessage(message => FanoutAsync(local, message.Message));
            var seq = await _redis.GetDatabase().StringGetAsync(RedisKeys.Seq(local.Room));
            local.LastSeq = seq.TryParse(out long last) ? last : UnknownSeq;
        }
        finally
        {
            local.Gate.Release();
        }
    }

    private async Task UnsubscribeAsync(LocalRoom local)
    {
        try
        {
            await local.UnsubscribeAsync();
        }
        catch (Exception e)
        {
            LogUnsubscribeFailed(_logger, e, local.Room);
        }
    }

    private async Task FanoutAsync(LocalRoom local, RedisValue payload)
    {
        var roomEvent = RoomEvent.Parse((byte[])payload!);
        await local.Gate.WaitAsync();
        try
        {
            if (roomEvent.Seq > 0)
            {
                if (roomEvent.Seq <= local.LastSeq)
                {
                    return; // a catch-up delivered it already
                }

                if (local.LastSeq != UnknownSeq && roomEvent.Seq > local.LastSeq + 1)
                {
                    await CatchUpAsync(local, roomEvent.Seq - 1);
                }

                local.LastSeq = roomEvent.Seq;
            }

            Fanout(local, roomEvent);
        }
        finally
        {
            local.Gate.Release();
        }
    }

    /// <summary>After the subscription connection came back: every room reads what was published while it was down.</summary>
    private async Task CatchUpAllAsync()
    {
        try
        {
            // Answered on the subscription connection after the re-subscriptions sent before it: from here on the
            // rooms receive live, and what they missed is in their streams.
            await _redis.GetSubscriber().PingAsync();
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            LogRestoredNotAnswering(_logger, e);
            return;
        }

        LocalRoom[] rooms;
        lock (_sync)
        {
            rooms = [.. _rooms.Values];
        }

        foreach (var local in rooms)
        {
            await local.Gate.WaitAsync();
            try
            {
                // A Redis that lost data (no append-only file) may count from an older seq again: start afresh there.
                var seq = await _redis.GetDatabase().StringGetAsync(RedisKeys.Seq(local.Room));
                if (!seq.TryParse(out long current) || current < local.LastSeq)
                {
                    local.LastSeq = UnknownSeq;
                }
                else if (local.LastSeq != UnknownSeq)
                {
                    await CatchUpAsync(local, long.MaxValue);
                }
            }
            catch (Exception e) when (e is RedisException or RedisTimeoutException)
            {
                LogCatchUpFailed(_logger, e, local.Room);
            }
            finally
            {
                local.Gate.Release();
            }
        }
    }

    /// <summary>
    /// Delivers the room's messages after its last seq up to <paramref name="upTo"/> from the recent stream (under the
    /// room's gate). A seq the stream does not hold (over its cap behind, or lost with Redis's data) cannot be
    /// delivered live; it is logged, and a client that reconnects gets what history has with <c>since</c>.
    /// </summary>
    private async Task CatchUpAsync(LocalRoom local, long upTo)
    {
        IReadOnlyList<(long Seq, byte[] Frame)> missed;
        try
        {
            missed = await _store.ReadRecentAsync(local.Room, local.LastSeq + 1, upTo);
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            LogGapReadFailed(_logger, e, local.Room, local.LastSeq);
            missed = [];
        }

        var complete = upTo == long.MaxValue || (missed.Count > 0 && missed[^1].Seq == upTo);
        foreach (var (seq, frame) in missed)
        {
            complete &= seq == local.LastSeq + 1;
            local.LastSeq = Math.Max(local.LastSeq, seq);
            Fanout(local, RoomEvent.Parse(frame));
        }

        if (missed.Count > 0)
        {
            LogGapRepaired(_logger, local.Room, missed.Count, local.LastSeq);
        }

        if (!complete)
        {
            LogGapUnrecoverable(_logger, local.Room, upTo);
        }
    }

    private void Fanout(LocalRoom local, RoomEvent roomEvent)
    {
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
            _metrics.Delivered(members.Length, _time.GetUtcNow() - publishedAt);
        }
    }

    /// <summary>The room had no seq when it was subscribed: its first message sets where it starts.</summary>
    private const long UnknownSeq = -1;

    [LoggerMessage(LogLevel.Warning, "Unsubscribing from room {Room} failed")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Exception exception, string room);

    [LoggerMessage(LogLevel.Warning, "The restored subscription connection did not answer; rooms catch up with their next message")]
    private static partial void LogRestoredNotAnswering(ILogger logger, Exception exception);

    [LoggerMessage(LogLevel.Warning, "Room {Room}: catching up after the subscription came back failed; its next message does")]
    private static partial void LogCatchUpFailed(ILogger logger, Exception exception, string room);

    [LoggerMessage(LogLevel.Warning, "Room {Room}: reading the messages missed after seq {Seq} failed")]
    private static partial void LogGapReadFailed(ILogger logger, Exception exception, string room, long seq);

    [LoggerMessage(LogLevel.Information, "Room {Room}: delivered {Count} messages the subscription missed, up to seq {Seq}")]
    private static partial void LogGapRepaired(ILogger logger, string room, int count, long seq);

    [LoggerMessage(LogLevel.Warning, "Room {Room}: some messages before seq {Seq} are not in the recent stream; live members miss them")]
    private static partial void LogGapUnrecoverable(ILogger logger, string room, long seq);

    private sealed class LocalRoom(string room) : ChannelSubscription
    {
        public string Room { get; } = room;

        /// <summary>Serializes fanout and catch-up of the room.</summary>
        public SemaphoreSlim Gate { get; } = new(1, 1);

        /// <summary>The last seq fanned out (or known when subscribed); read and written under <see cref="Gate"/>.</summary>
        public long LastSeq { get; set; } = UnknownSeq;

        /// <summary>Replaced as a whole under the fan-out's lock, read without it by fanout.</summary>
        public volatile RoomMembership[] Members = [];
    }
}
