using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.MessageService.Data;

/// <summary>
/// One item of a room's seq as it was acknowledged to its sender; (Room, Seq) is its identity. Most are messages;
/// the events about a message (protocol.md §7: edit, delete, reaction) share the table and its key, so the room's
/// sequence, its last seq and the hand-off's idempotent insert are one for both (docs/messages.md, "Tables").
/// </summary>
public sealed class StoredMessage
{
    public required string Room { get; init; }

    public required long Seq { get; init; }

    /// <summary>The message's id; for an event, the id of the message it is about.</summary>
    public required Guid MessageId { get; init; }

    /// <summary>The author; for an event, who did it.</summary>
    public required string UserId { get; init; }

    /// <summary>The author's name; empty for an event (its frame names the user by id only).</summary>
    public required string Username { get; init; }

    /// <summary>A message's text or an edit's new one; null for a message of <see cref="Data"/> only, and once the message was deleted (a tombstone).</summary>
    public string? Content { get; init; }

    /// <summary>The message's (or an edit's) <c>data</c> object as JSON (a jsonb column), or null; removed with a delete like the content.</summary>
    public string? Data { get; init; }

    /// <summary>When the message was sent or edited; for a delete or a reaction, when it was handed off.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The frame type: <c>message</c>, <c>message_edited</c>, <c>message_deleted</c> or <c>reaction</c>.</summary>
    public string Kind { get; init; } = FrameTypes.Message;

    /// <summary>A reaction's emoji.</summary>
    public string? Emoji { get; init; }

    /// <summary>A reaction's <c>add</c> or <c>remove</c>.</summary>
    public string? Op { get; init; }

    public bool IsMessage => Kind == FrameTypes.Message;
}
