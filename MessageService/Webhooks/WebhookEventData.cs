using System.Text.Json;
using RealtimeAspire.MessageService.Data;

namespace RealtimeAspire.MessageService.Webhooks;

/// <summary>The <c>data</c> of each event type (docs/server-api.md, "Webhooks").</summary>
public static class WebhookEventData
{
    /// <summary>The stored message, with the fields of its live frame (<c>content</c>, <c>data</c> or both).</summary>
    public sealed record Message(string Room, long Seq, Guid MessageId, string UserId, string Username, string? Content, DateTimeOffset Timestamp, JsonElement? Data);

    public sealed record Member(string UserId, string Username);

    public sealed record RoomCreated(string Room, string Visibility, string? OwnerId, IReadOnlyList<Member> Members);

    public sealed record RoomMember(string Room, string UserId, string Username);

    public sealed record User(string UserId, string Username);

    /// <summary>The room, and the user whose arrival or departure changed it (null when leases ran out).</summary>
    public sealed record RoomPresence(string Room, string? UserId, string? Username);

    /// <summary>
    /// A stored message's <c>message.created</c>. Its id is the message's id, so a batch stored again (a hand-off entry
    /// delivered twice) finds its events already there: each stored message yields exactly one event.
    /// </summary>
    public static NewWebhookEvent MessageCreated(StoredMessage message, string? traceParent) =>
        new(message.MessageId, WebhookEventTypes.MessageCreated, message.Room, message.Room,
            new Message(message.Room, message.Seq, message.MessageId, message.UserId, message.Username, message.Content, message.Timestamp,
                message.Data is null ? null : JsonElement.Parse(message.Data)),
            message.Timestamp, traceParent);
}
