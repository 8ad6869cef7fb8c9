using RealtimeAspire.ConnectionService.Connections;
using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.ConnectionService.Redis;
using RealtimeAspire.ConnectionService.Upstream;
using RealtimeAspire.Contracts;
using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.ConnectionService.Messages;

/// <summary>
/// A client's <c>edit</c>, <c>delete</c>, <c>react</c> and <c>unreact</c> (protocol.md §7): the checks against the
/// message they are about, then the same atomic hand-off as a message (rate limit, resend by id, seq, fan-out,
/// storage), then the ack. The author, time and state of the message come from MessageService, which has every
/// acknowledged message (stored or still in the hand-off) for as long as the room exists; Redis keeps no per-message
/// record that could expire before the message does.
/// </summary>
public sealed class MessageEventSender(
    MessageAppender store,
    UserLimits limits,
    MessageServiceClient messageService,
    RealtimeOptions options,
    TimeProvider time,
    RealtimeMetrics metrics)
{
    public async Task SendAsync(RealtimeConnection connection, ConnectionUser user, ClientFrame frame, CancellationToken cancellationToken)
    {
        var room = frame.Room!;
        if (connection.GetRoom(room) is null)
        {
            Refuse(connection, frame, ErrorCodes.NotJoined, "You have not joined this room.");
            return;
        }

        // A resend of an acked id is answered before the message is looked at again (a deleted one is gone by then).
        if (await store.FindAckAsync(room, user.UserId, frame.Id) is { } resent)
        {
            connection.TryAnswer(resent);
            return;
        }

        var lookup = Guid.TryParse(frame.MessageId, out _)
            ? await messageService.LookupMessageAsync(room, frame.MessageId!, user.UserId, cancellationToken)
            : null;
        if (lookup is null || lookup.Deleted)
        {
            Refuse(connection, frame, ErrorCodes.NotFound, "There is no such message in this room.");
            return;
        }

        if (Check(frame.Type, user.UserId, lookup, time.GetUtcNow(), TimeSpan.FromMilliseconds(options.EditWindowMs)) is { } refusal)
        {
            Refuse(connection, frame, refusal.Code, refusal.Message);
            return;
        }

        if (IsAlreadyInPlace(frame, lookup))
        {
            // Reacting twice with one emoji (or taking back one never given) changes nothing: no event, an ack at the room's seq.
            var latest = await store.GetLatestSeqAsync(room, cancellationToken);
            connection.TryAnswer(FrameCodec.Encode(new AckFrame(frame.Id, room, lookup.MessageId, latest)));
            return;
        }

        using var activity = MessageSender.StartMessageActivity(room, "message event send");
        var roomEvent = new OutgoingEvent(BuildFrame(frame, user, lookup), frame.Id, MessageSender.TraceParent(activity),
            frame.Type == ClientFrameType.Delete ? lookup.Seq : null);
        var appended = await store.AppendEventAsync(roomEvent, user.UserId, limits.MessageCharge(user.UserId, connection.Id), cancellationToken);
        if (appended.RetryAfterMs > 0)
        {
            metrics.Rejected(ErrorCodes.RateLimited);
            connection.TryAnswer(Frames.Error(ErrorCodes.RateLimited, "Too many messages.", frame.Id, appended.RetryAfterMs));
            return;
        }

        if (appended.Unreplicated)
        {
            // As for a message: handed off but not yet on a Redis replica, so no ack; the resend with the same id is safe.
            metrics.Rejected(ErrorCodes.Unavailable);
            connection.TryAnswer(Frames.Error(ErrorCodes.Unavailable, "The event is not yet safe on a Redis replica; send it again with the same id.",
                frame.Id, MessageSender.UnreplicatedRetryAfterMs));
            return;
        }

        connection.TryAnswer(appended.Ack);
    }

    /// <summary>Who may do what to a message that exists (protocol.md §7); null when <paramref name="userId"/> may.</summary>
    public static (string Code, string Message)? Check(ClientFrameType type, string userId, MessageLookup lookup, DateTimeOffset now, TimeSpan editWindow)
    {
        var isAuthor = lookup.UserId == userId;
        switch (type)
        {
            case ClientFrameType.Edit when !isAuthor:
                return (ErrorCodes.Forbidden, "Only the author may edit a message.");
            case ClientFrameType.Edit when now - lookup.Timestamp > editWindow:
                return (ErrorCodes.EditWindowPassed, "The message is too old to be edited.");
            case ClientFrameType.Delete when !isAuthor && lookup.RoomOwnerId != userId:
                return (ErrorCodes.Forbidden, "Only the author or the room's owner may delete a message.");
            default:
                return null;
        }
    }

    private static bool IsAlreadyInPlace(ClientFrame frame, MessageLookup lookup) => frame.Type switch
    {
        ClientFrameType.React => lookup.Reactions.Contains(frame.Emoji!),
        ClientFrameType.Unreact => !lookup.Reactions.Contains(frame.Emoji!),
        _ => false,
    };

    private IMessageEventFrame BuildFrame(ClientFrame frame, ConnectionUser user, MessageLookup lookup) => frame.Type switch
    {
        ClientFrameType.Edit => new MessageEditedFrame(frame.Room!, 0, lookup.MessageId, frame.Content, frame.Data, time.GetUtcNow(), user.UserId),
        ClientFrameType.Delete => new MessageDeletedFrame(frame.Room!, 0, lookup.MessageId, user.UserId),
        ClientFrameType.React => new ReactionFrame(frame.Room!, 0, lookup.MessageId, frame.Emoji!, user.UserId, ReactionFrame.Add),
        _ => new ReactionFrame(frame.Room!, 0, lookup.MessageId, frame.Emoji!, user.UserId, ReactionFrame.Remove),
    };

    private void Refuse(RealtimeConnection connection, ClientFrame frame, string code, string message)
    {
        metrics.Rejected(code);
        connection.TryAnswer(Frames.Error(code, message, frame.Id));
    }
}
