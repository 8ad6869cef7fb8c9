using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.Contracts;

/// <summary>A history page (<c>GET /api/rooms/{room}/messages</c>): the room's messages, ascending by seq.</summary>
/// <param name="Messages">Each the <c>message</c> frame that was delivered live, in its current state (edited, deleted, reactions).</param>
/// <param name="Events">With <c>events=true</c>: the page's <c>message_edited</c>, <c>message_deleted</c> and <c>reaction</c>
/// frames, ascending by seq; together with <see cref="Messages"/> they are every seq of the page's range.</param>
public sealed record MessagesPage(IReadOnlyList<MessageFrame> Messages, IReadOnlyList<System.Text.Json.JsonElement>? Events = null);

/// <summary>
/// MessageService's internal answer about one message, for ConnectionService's checks of an edit, delete or reaction
/// (<see cref="InternalApi.MessageLookupPath"/>): stored or acknowledged and not stored yet, with its events applied.
/// </summary>
/// <param name="Room">The message's room.</param>
/// <param name="MessageId">The message.</param>
/// <param name="Seq">Its seq.</param>
/// <param name="UserId">Its author.</param>
/// <param name="Timestamp">When it was sent (the edit window starts here).</param>
/// <param name="Deleted">Whether it was deleted.</param>
/// <param name="RoomOwnerId">The room's owner, who may delete any message; null for a room without one.</param>
/// <param name="Reactions">The emoji the asking user has on the message now.</param>
public sealed record MessageLookup(
    string Room, string MessageId, long Seq, string UserId,
    [property: System.Text.Json.Serialization.JsonConverter(typeof(TimestampConverter))] DateTimeOffset Timestamp,
    bool Deleted, string? RoomOwnerId, IReadOnlyList<string> Reactions);

/// <summary>MessageService's internal answer to "may this user read (or join) this room" (docs/architecture.md).</summary>
/// <param name="Room">The room asked about.</param>
/// <param name="Exists">Whether somebody created it (or joined it, for a public room).</param>
/// <param name="Visibility"><c>public</c> or <c>private</c>.</param>
/// <param name="CanRead">Whether the user may read it.</param>
public sealed record RoomAccessResponse(string Room, bool Exists, string Visibility, bool CanRead);

/// <summary>MessageService's internal answer: the latest seq it has stored for a room (0 for none).</summary>
/// <param name="Room">The room asked about.</param>
/// <param name="LastSeq">Its latest stored seq.</param>
public sealed record LastSeqResponse(string Room, long LastSeq);
