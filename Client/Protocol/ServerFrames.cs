using System.Text.Json;
using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.Client;

/// <summary>Something the server sent without being asked, or a change of the connection's state.</summary>
public abstract record RealtimeEvent;

/// <summary>A user present in a room.</summary>
/// <param name="UserId">The user's id (the token's <c>sub</c>).</param>
/// <param name="Username">The user's name.</param>
public sealed record RoomMember(string UserId, string Username);

/// <summary>The answer to <c>join</c>.</summary>
/// <param name="Room">The room joined.</param>
/// <param name="Seq">The room's latest sequence number when it was joined.</param>
/// <param name="Recovered">False when a join with <c>since</c> could not fill the whole gap.</param>
/// <param name="Members">The users present in the room.</param>
public sealed record JoinedRoom(string Room, long Seq, bool Recovered, IReadOnlyList<RoomMember> Members);

/// <summary>The server's acknowledgement of a sent message: it is stored and will be delivered.</summary>
/// <param name="Id">The client's own id of the message.</param>
/// <param name="Room">The room the message went to.</param>
/// <param name="MessageId">The server's id of the message.</param>
/// <param name="Seq">The message's sequence number in its room.</param>
public sealed record MessageAck(string Id, string Room, string MessageId, long Seq);

/// <summary>A message of a room.</summary>
/// <param name="Room">The room.</param>
/// <param name="MessageId">The server's id of the message.</param>
/// <param name="Seq">Strictly increasing per room.</param>
/// <param name="UserId">The sender's id.</param>
/// <param name="Username">The sender's name.</param>
/// <param name="Content">The text; null for a message that carries only <paramref name="Data"/>.</param>
/// <param name="Timestamp">When the server accepted it.</param>
/// <param name="Data">The structured payload (a JSON object) as its sender sent it, or null.</param>
public sealed record ChatMessage(
    string Room, string MessageId, long Seq, string UserId, string Username, string? Content, DateTimeOffset Timestamp, JsonElement? Data = null)
    : RealtimeEvent
{
    /// <inheritdoc/>
    public bool Equals(ChatMessage? other) =>
        other is not null
        && (Room, MessageId, Seq, UserId, Username, Content, Timestamp) == (other.Room, other.MessageId, other.Seq, other.UserId, other.Username, other.Content, other.Timestamp)
        && StructuredData.Same(Data, other.Data);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Room, MessageId, Seq);
}

/// <summary>A user's first connection joined the room.</summary>
/// <param name="Room">The room.</param>
/// <param name="UserId">The user's id.</param>
/// <param name="Username">The user's name.</param>
public sealed record UserJoined(string Room, string UserId, string Username) : RealtimeEvent;

/// <summary>A user's last connection left the room or dropped.</summary>
/// <param name="Room">The room.</param>
/// <param name="UserId">The user's id.</param>
/// <param name="Username">The user's name.</param>
public sealed record UserLeft(string Room, string UserId, string Username) : RealtimeEvent;

/// <summary>Another user of the room is typing.</summary>
/// <param name="Room">The room.</param>
/// <param name="UserId">The user's id.</param>
/// <param name="Username">The user's name.</param>
public sealed record UserTyping(string Room, string UserId, string Username) : RealtimeEvent;

/// <summary>A notification for this user, e.g. a mention.</summary>
/// <param name="Kind">What happened; <c>mention</c> today.</param>
/// <param name="Message">The message concerned.</param>
public sealed record Notification(string Kind, ChatMessage Message) : RealtimeEvent;

/// <summary>The present users of a room.</summary>
/// <param name="Room">The room.</param>
/// <param name="Members">Each present user once.</param>
public sealed record RoomPresence(string Room, IReadOnlyList<RoomMember> Members);

/// <summary>An <c>error</c> frame. It never closes the connection by itself.</summary>
/// <param name="Code">The stable code, see <see cref="RealtimeAspire.Contracts.ErrorCodes"/>.</param>
/// <param name="Message">A human-readable explanation.</param>
/// <param name="Id">The client id of the rejected message, when it had one.</param>
/// <param name="RetryAfterMs">For <c>rate_limited</c>: when to try again.</param>
/// <param name="Room">The room concerned, when the server says it.</param>
public sealed record ServerError(string Code, string Message, string? Id = null, long? RetryAfterMs = null, string? Room = null)
    : RealtimeEvent;

/// <summary>A room rejoined after a reconnect, with <c>since</c> = the last <c>seq</c> seen.</summary>
/// <param name="Joined">The server's answer; when <c>Recovered</c> is false the gap was not replayed: fetch it over HTTP.</param>
public sealed record RoomRejoined(JoinedRoom Joined) : RealtimeEvent;

/// <summary>The server took the client out of a room it had not asked to leave (e.g. removed from a private room).</summary>
/// <param name="Room">The room.</param>
public sealed record RoomRemoval(string Room) : RealtimeEvent;

/// <summary>The client's connection changed state.</summary>
/// <param name="State">The new state.</param>
/// <param name="CloseCode">The WebSocket close code that caused it, when there was one.</param>
/// <param name="Error">The failure that caused it, when there was one.</param>
public sealed record ConnectionStateChanged(RealtimeConnectionState State, int? CloseCode = null, Exception? Error = null)
    : RealtimeEvent;
