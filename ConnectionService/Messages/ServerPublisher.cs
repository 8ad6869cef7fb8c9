using System.Diagnostics;
using System.Text.Json;
using RealtimeAspire.ConnectionService.Redis;
using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.ConnectionService.Messages;

/// <summary>A server-API client: its subject (<c>client:&lt;id&gt;</c>, the messages' <c>userId</c>) and its name.</summary>
public sealed record ServerSender(string UserId, string Username);

/// <summary>Where a server message went: the room, its message id and its seq.</summary>
public sealed record PublishedMessage(string Room, string MessageId, long Seq);

/// <summary>
/// On a Redis Cluster, the message was handed off but no replica confirmed it in time (<see cref="AckReplication"/>):
/// no answer yet; the backend publishes again with the same idempotency key, which is safe.
/// </summary>
public sealed class NotReplicatedException(string room) : Exception($"The message to {room} is not yet safe on a Redis replica.");

/// <summary>
/// An application backend's message to a room (protocol.md §6): the same atomic hand-off as a user's
/// (<see cref="MessageAppender"/>: seq, recent stream, hand-off for storage, fan-out, resend check), then mentions.
/// The idempotency key takes the place of a client's message id, so a resend within the window gets the first answer.
/// </summary>
public sealed class ServerPublisher(MessageAppender store, UserLimits limits, MentionNotifier mentions, RealtimeMetrics metrics)
{
    public async Task<PublishedMessage> PublishAsync(ServerSender sender, string room, string? content, JsonElement? data,
        string? idempotencyKey, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = RealtimeMetrics.ActivitySource.StartActivity(ActivityKind.Producer, name: "server publish");
        activity?.SetTag("realtime.room", room);
        var appended = await store.AppendAsync(
            new OutgoingMessage(room, sender.UserId, sender.Username, content, data, idempotencyKey, MessageSender.TraceParent(activity)),
            limits.ServerCharge(sender.UserId), cancellationToken);
        metrics.MessageHandedOff(Stopwatch.GetElapsedTime(started), published: appended.Frame is not null);

        if (appended.Frame is not null && content is not null)
        {
            mentions.Notify(room, sender.Username, content, appended.Frame);
        }

        if (appended.Unreplicated)
        {
            throw new NotReplicatedException(room);
        }

        // A resend is answered from the ack the first publish stored.
        var ack = FrameCodec.Decode<AckFrame>(appended.Ack);
        return new PublishedMessage(ack.Room, ack.MessageId, ack.Seq);
    }
}
