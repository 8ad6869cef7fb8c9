using System.Diagnostics;
using RealtimeAspire.ConnectionService.Connections;
using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.ConnectionService.PublishHooks;
using RealtimeAspire.ConnectionService.Redis;
using RealtimeAspire.Contracts;

namespace RealtimeAspire.ConnectionService.Messages;

/// <summary>
/// A client's <c>message</c>: checks, the operator's publish hook when one is set, the atomic hand-off to Redis (rate
/// limit included), then the ack.
/// </summary>
public sealed class MessageSender(
    MessageAppender store,
    UserLimits limits,
    MentionNotifier mentions,
    PublishHook hook,
    RealtimeMetrics metrics)
{
    internal const long UnreplicatedRetryAfterMs = 500;

    public async Task SendAsync(RealtimeConnection connection, ConnectionUser user, ClientFrame frame, long arrivedAt, CancellationToken cancellationToken)
    {
        var room = frame.Room!;
        if (connection.GetRoom(room) is null)
        {
            metrics.Rejected(ErrorCodes.NotJoined);
            connection.TryAnswer(Frames.Error(ErrorCodes.NotJoined, "You have not joined this room.", frame.Id));
            return;
        }

        using var activity = StartMessageActivity(room);
        var (content, data) = (frame.Content, frame.Data);
        if (hook.IsConfigured)
        {
            // A resend of an acked id is answered from its record: the hook saw that message once already.
            if (frame.Id is not null && await store.FindAckAsync(room, user.UserId, frame.Id) is { } earlierAck)
            {
                metrics.MessageHandedOff(Stopwatch.GetElapsedTime(arrivedAt), published: false);
                connection.TryAnswer(earlierAck);
                return;
            }

            var verdict = await hook.CheckAsync(room, user, frame, cancellationToken);
            if (verdict.Refused)
            {
                metrics.Rejected(verdict.ErrorCode!);
                connection.TryAnswer(Frames.Error(verdict.ErrorCode!, verdict.ErrorMessage!, frame.Id,
                    verdict.ErrorCode == ErrorCodes.Unavailable ? 1000 : null));
                return;
            }

            (content, data) = (verdict.Content, verdict.Data);
        }

        var appended = await store.AppendAsync(
            new OutgoingMessage(room, user.UserId, user.Username, content, data, frame.Id, TraceParent(activity)),
            limits.MessageCharge(user.UserId, connection.Id), cancellationToken);
        if (appended.RetryAfterMs > 0)
        {
            metrics.Rejected(ErrorCodes.RateLimited);
            connection.TryAnswer(Frames.Error(ErrorCodes.RateLimited, "Too many messages.", frame.Id, appended.RetryAfterMs));
            return;
        }

        if (appended.Unreplicated)
        {
            // Handed off (the room has it live) but not yet on a Redis replica: not acked, so the client resends with
            // the same id; the resend is a duplicate, which notifies nobody, so the mentions go now.
            if (appended.Frame is not null)
            {
                mentions.Notify(room, user, frame.Content!, appended.Frame);
            }

            metrics.Rejected(ErrorCodes.Unavailable);
            connection.TryAnswer(Frames.Error(ErrorCodes.Unavailable, "The message is not yet safe on a Redis replica; send it again with the same id.",
                frame.Id, UnreplicatedRetryAfterMs));
            return;
        }

        metrics.MessageHandedOff(Stopwatch.GetElapsedTime(arrivedAt), published: appended.Frame is not null);

        connection.TryAnswer(appended.Ack);
        // Mentions are @names in the text; a data-only message names nobody.
        if (appended.Frame is not null && content is not null)
        {
            mentions.Notify(room, user, content, appended.Frame);
        }
    }

    /// <summary>
    /// Each message starts its own trace (followed through Redis, fanout and storage by the traceparent in its
    /// envelope), linked to the long-lived WebSocket request rather than nested in it.
    /// </summary>
    internal static Activity? StartMessageActivity(string room, string name = "message send")
    {
        var connectionRequest = Activity.Current;
        Activity.Current = null;
        ActivityLink[]? links = connectionRequest is null ? null : [new ActivityLink(connectionRequest.Context)];
        var activity = RealtimeMetrics.ActivitySource.StartActivity(ActivityKind.Producer, links: links, name: name);
        activity?.SetTag("realtime.room", room);
        return activity;
    }

    /// <summary>The W3C traceparent a message carries through Redis to fan-out and storage (empty without a trace).</summary>
    internal static string TraceParent(Activity? activity) =>
        activity is { IdFormat: ActivityIdFormat.W3C } ? activity.Id ?? "" : "";
}
