using RealtimeAspire.ConnectionService.Connections;
using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.ConnectionService.Redis;
using RealtimeAspire.Contracts;
using RealtimeAspire.Contracts.Frames;
using RealtimeAspire.ConnectionService.Upstream;
using StackExchange.Redis;

namespace RealtimeAspire.ConnectionService.Rooms;

/// <summary>join, leave, typing and presence of one connection, and a room's removal of a user.</summary>
public sealed partial class RoomService(
    RoomFanout rooms,
    ConnectionRegistry connections,
    PresenceStore presence,
    MessageAppender messages,
    MessageReplay replay,
    MessageServiceClient messageService,
    IConnectionMultiplexer redis,
    RedisTopology topology,
    RealtimeOptions options,
    RealtimeMetrics metrics,
    ILogger<RoomService> logger)
{
    public async Task JoinAsync(RealtimeConnection connection, ConnectionUser user, string room, long? since, CancellationToken cancellationToken)
    {
        // Checked first, so a client over the limit costs neither an access check nor a subscription.
        if (connection.GetRoom(room) is null && connection.RoomCount >= options.MaxRoomsPerConnection)
        {
            metrics.Rejected(ErrorCodes.TooManyRooms);
            connection.TryAnswer(Frames.Error(ErrorCodes.TooManyRooms,
                $"A connection may be in at most {options.MaxRoomsPerConnection} rooms; leave one first."));
            return;
        }

        if (!await messageService.CanJoinAsync(room, user.UserId, cancellationToken))
        {
            if (connection.GetRoom(room) is { } stale)
            {
                // Joined before, refused now: the user lost access, whatever became of the kick order.
                await LeaveAsync(stale, user);
                connection.TrySend(Frames.Left(room));
            }

            // The same answer whether the room exists or not: a private room leaks nothing.
            metrics.Rejected(ErrorCodes.Forbidden);
            connection.TryAnswer(Frames.Error(ErrorCodes.Forbidden, "You may not join this room."));
            return;
        }

        var membership = new RoomMembership(connection, room, options.OutboundQueueCapacity);
        var previous = connection.SetRoom(membership);
        if (previous is not null)
        {
            // A repeated join starts the room afresh on this connection; the user stays present throughout.
            previous.Detach();
            rooms.Remove(previous);
        }

        try
        {
            // Subscribed before the seq is read: every message after it arrives live and is held back meanwhile.
            await rooms.AddAsync(membership);
            if (previous is null)
            {
                await presence.JoinAsync(room, user.UserId, user.Username, connection.Id);
            }

            var latest = await messages.GetLatestSeqAsync(room, cancellationToken);
            var members = await presence.ListAsync(room);
            var missed = since is { } after
                ? await replay.LoadAsync(room, after, latest, user.AccessToken, cancellationToken)
                : Replay.Nothing with { Recovered = false };

            connection.TryAnswer(Frames.Joined(room, latest, missed.Recovered, members));
            foreach (var frame in missed.Frames)
            {
                if (!await connection.SendAsync(frame, cancellationToken))
                {
                    return;
                }
            }

            membership.GoLive(latest);
        }
        catch
        {
            await LeaveAsync(membership, user);
            throw;
        }
    }

    /// <summary>
    /// Leaves the room; with <paramref name="forget"/> the room also leaves the user's room list, which needs no join
    /// on this connection (a client may drop a room from its list wherever it is).
    /// </summary>
    public async Task LeaveAsync(RealtimeConnection connection, ConnectionUser user, string room, bool forget, CancellationToken cancellationToken)
    {
        var membership = connection.GetRoom(room);
        if (membership is null && !forget)
        {
            metrics.Rejected(ErrorCodes.NotJoined);
            connection.TryAnswer(Frames.Error(ErrorCodes.NotJoined, "You have not joined this room."));
            return;
        }

        if (membership is not null)
        {
            await LeaveAsync(membership, user);
        }

        if (forget)
        {
            await messageService.ForgetRoomAsync(room, user.UserId, cancellationToken);
        }

        connection.TryAnswer(Frames.Left(room));
    }

    /// <summary>
    /// A <c>read</c>: MessageService moves the position and sends <c>read</c> to the user's connections (this one
    /// included) and the throttled <c>receipt</c>; nothing else answers it.
    /// </summary>
    public async Task ReadAsync(RealtimeConnection connection, ConnectionUser user, string room, long seq, CancellationToken cancellationToken)
    {
        if (connection.GetRoom(room) is null)
        {
            metrics.Rejected(ErrorCodes.NotJoined);
            connection.TryAnswer(Frames.Error(ErrorCodes.NotJoined, "You have not joined this room."));
            return;
        }

        await messageService.MoveReadPositionAsync(room, user.UserId, user.Username, seq, cancellationToken);
    }

    public async Task TypingAsync(RealtimeConnection connection, ConnectionUser user, string room)
    {
        if (connection.GetRoom(room) is null)
        {
            metrics.Rejected(ErrorCodes.NotJoined);
            connection.TryAnswer(Frames.Error(ErrorCodes.NotJoined, "You have not joined this room."));
            return;
        }

        await redis.GetSubscriber().PublishAsync(topology.RoomChannel(room),
            Frames.RoomUserEnvelope(FrameTypes.UserTyping, room, user.UserId, user.Username));
    }

    public async Task PresenceAsync(RealtimeConnection connection, string room)
    {
        if (connection.GetRoom(room) is null)
        {
            metrics.Rejected(ErrorCodes.NotJoined);
            connection.TryAnswer(Frames.Error(ErrorCodes.NotJoined, "You have not joined this room."));
            return;
        }

        connection.TryAnswer(Frames.Presence(room, await presence.ListAsync(room)));
    }

    /// <summary>
    /// The user was removed from the room: this replica's connections of that user leave it at once. Each waits for
    /// the frame its connection is working on, so a join in flight either ends before (and is undone here) or
    /// checks access after the removal.
    /// </summary>
    public async Task KickAsync(string room, string userId)
    {
        messageService.ForgetAccess(room, userId);
        await Task.WhenAll(connections.OfUser(userId).Select(async connection =>
        {
            await connection.ProcessingGate.WaitAsync();
            try
            {
                if (connection.GetRoom(room) is { } membership && connection.User is { } user)
                {
                    await LeaveAsync(membership, user);
                    connection.TrySend(Frames.Left(room));
                }
            }
            finally
            {
                connection.ProcessingGate.Release();
            }
        }));
    }

    /// <summary>Leaves every room of a closing connection (idempotent).</summary>
    public async Task LeaveAllAsync(RealtimeConnection connection)
    {
        if (connection.User is not { } user)
        {
            return;
        }

        foreach (var membership in connection.GetRooms())
        {
            try
            {
                await LeaveAsync(membership, user);
            }
            catch (Exception e)
            {
                // Presence heals by lease expiry when this fails.
                LogLeaveOnCloseFailed(logger, e, membership.Room);
            }
        }
    }

    private async Task LeaveAsync(RoomMembership membership, ConnectionUser user)
    {
        // Detached under the delivery lock first: nothing of the room follows the answer to leave.
        if (!membership.Detach())
        {
            return;
        }

        membership.Connection.RemoveRoom(membership);
        rooms.Remove(membership);
        await presence.LeaveAsync(membership.Room, user.UserId, user.Username, membership.Connection.Id);
    }

    [LoggerMessage(LogLevel.Warning, "Leaving room {Room} on close failed")]
    private static partial void LogLeaveOnCloseFailed(ILogger logger, Exception exception, string room);
}
