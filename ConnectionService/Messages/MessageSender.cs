using System.Diagnostics;
using RealtimeAspire.ConnectionService.Connections;
using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.ConnectionService.Redis;

namespace RealtimeAspire.ConnectionService.Messages;

/// <summary>A client's <c>message</c>: checks, the atomic hand-off to Redis, then the ack.</summary>
public sealed class MessageSender(
    MessageStore store,
    UserLimits limits,
    MentionNotifier mentions,
    RealtimeMetrics metrics)
{
    public async Task SendAsync(RealtimeConnection connection, ConnectionUser user, ClientFrame frame, long arrivedAt, CancellationToken cancellationToken)
    {
        var room = frame.Room!;
        if (connection.GetRoom(room) is null)
        {
            connection.TrySend(Frames.Error(ErrorCodes.NotJoined, "You have not joined this room.", frame.Id));
            return;
        }

        var retryAfterMs = await limits.TryConsumeMessageAsync(user.UserId, connection.Id);
        if (retryAfterMs > 0)
        {
            connection.TrySend(Frames.Error(ErrorCodes.RateLimited, "Too many messages.", frame.Id, retryAfterMs));
            return;
        }

        using var activity = RealtimeMetrics.ActivitySource.StartActivity("message hand-off");
        var appended = await store.AppendAsync(
            new OutgoingMessage(room, user.UserId, user.Username, frame.Content!, frame.Id, TraceParent(activity)), cancellationToken);
        metrics.MessageHandedOff(Stopwatch.GetElapsedTime(arrivedAt));

        connection.TrySend(appended.Ack);
        if (appended.Frame is not null)
        {
            mentions.Notify(room, user, frame.Content!, appended.Frame);
        }
    }

    private static string TraceParent(Activity? activity) =>
        activity is { IdFormat: ActivityIdFormat.W3C } ? activity.Id ?? "" : "";
}
