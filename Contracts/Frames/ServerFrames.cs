using System.Text.Json;
using System.Text.Json.Serialization;

namespace RealtimeAspire.Contracts.Frames;

#pragma warning disable CS1591 // the fields are the protocol's (protocol.md, "Server → client")

/// <summary>A frame the server sends; <see cref="Type"/> is written first.</summary>
public interface IServerFrame
{
    string Type { get; }
}

public sealed record WelcomeFrame(string ConnectionId, int HeartbeatIntervalMs, string Protocol) : IServerFrame
{
    [JsonPropertyOrder(-1)]
    public string Type => FrameTypes.Welcome;
}

public sealed record AuthSuccessFrame(string UserId, string Username, string ConnectionId) : IServerFrame
{
    [JsonPropertyOrder(-1)]
    public string Type => FrameTypes.AuthSuccess;
}

public sealed record AuthFailedFrame(string Message) : IServerFrame
{
    [JsonPropertyOrder(-1)]
    public string Type => FrameTypes.AuthFailed;
}

/// <summary>A user present in a room, as <c>joined</c>, <c>presence</c> and the presence API list them.</summary>
public sealed record PresenceMember(string UserId, string Username);

public sealed record JoinedFrame(string Room, long Seq, bool Recovered, IReadOnlyList<PresenceMember> Members) : IServerFrame
{
    [JsonPropertyOrder(-1)]
    public string Type => FrameTypes.Joined;

    // Records compare lists by reference; two frames with the same members are the same frame.
    public bool Equals(JoinedFrame? other) =>
        other is not null && (Room, Seq, Recovered) == (other.Room, other.Seq, other.Recovered) && Members.SequenceEqual(other.Members);

    public override int GetHashCode() => HashCode.Combine(Room, Seq, Recovered, Members.Count);
}

public sealed record LeftFrame(string Room) : IServerFrame
{
    [JsonPropertyOrder(-1)]
    public string Type => FrameTypes.Left;
}

/// <summary>The answer to a client's <c>message</c>; <see cref="Id"/> is the client's own id, when it sent one.</summary>
public sealed record AckFrame(string? Id, string Room, string MessageId, long Seq) : IServerFrame
{
    [JsonPropertyOrder(-1)]
    public string Type => FrameTypes.Ack;
}

/// <summary>
/// A message of a room: delivered live, replayed, carried by the hand-off and returned by history. It has
/// <see cref="Content"/>, <see cref="Data"/> or both; one without data is written exactly as protocol v1 wrote it.
/// </summary>
public sealed record MessageFrame(
    string Room,
    string MessageId,
    long Seq,
    string UserId,
    string Username,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Content,
    [property: JsonConverter(typeof(TimestampConverter))] DateTimeOffset Timestamp,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Data = null) : IServerFrame
{
    [JsonPropertyOrder(-1)]
    public string Type => FrameTypes.Message;

    /// <summary>History only: when the message was last edited (protocol.md §7); live frames never carry it.</summary>
    // Left out when absent under any serializer options (an HTTP answer's too), so a v1 message reads as it always did.
    [JsonConverter(typeof(NullableTimestampConverter))]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? EditedAt { get; init; }

    /// <summary>History only: true for a deleted message, which keeps its seq and ids but no content.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Deleted { get; init; }

    /// <summary>History only: how many users reacted with each emoji; absent when nobody did.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, int>? Reactions { get; init; }

    // Left out when absent under any serializer options (MessageService's HTTP answers too), as v1 wrote it.
    // JsonElement compares by reference to its document; two frames with equal data are the same frame.
    public bool Equals(MessageFrame? other) =>
        other is not null
        && (Room, MessageId, Seq, UserId, Username, Content, Timestamp) == (other.Room, other.MessageId, other.Seq, other.UserId, other.Username, other.Content, other.Timestamp)
        && StructuredData.Same(Data, other.Data)
        && (EditedAt, Deleted) == (other.EditedAt, other.Deleted)
        && (Reactions ?? new Dictionary<string, int>()).OrderBy(r => r.Key).SequenceEqual((other.Reactions ?? new Dictionary<string, int>()).OrderBy(r => r.Key));

    public override int GetHashCode() => HashCode.Combine(Room, MessageId, Seq);
}

/// <summary><c>user_joined</c>, <c>user_left</c> and <c>user_typing</c>: the same fields, another type.</summary>
public sealed record RoomUserFrame([property: JsonPropertyOrder(-1)] string Type, string Room, string UserId, string Username) : IServerFrame;

public sealed record PresenceFrame(string Room, IReadOnlyList<PresenceMember> Members) : IServerFrame
{
    [JsonPropertyOrder(-1)]
    public string Type => FrameTypes.Presence;

    public bool Equals(PresenceFrame? other) => other is not null && Room == other.Room && Members.SequenceEqual(other.Members);

    public override int GetHashCode() => HashCode.Combine(Room, Members.Count);
}

public sealed record PongFrame([property: JsonConverter(typeof(TimestampConverter))] DateTimeOffset Ts) : IServerFrame
{
    [JsonPropertyOrder(-1)]
    public string Type => FrameTypes.Pong;
}

/// <summary>A <c>notification</c>: today a mention, carrying the message that names the user.</summary>
public sealed record NotificationFrame(string Kind, MessageFrame Message) : IServerFrame
{
    [JsonPropertyOrder(-1)]
    public string Type => FrameTypes.Notification;
}

/// <summary>
/// An application backend's <c>event</c> for one user (protocol.md §6, <c>POST /api/server/users/{userId}/events</c>):
/// its <see cref="Data"/> as the backend sent it, from the client <see cref="From"/> (<c>client:&lt;id&gt;</c>); never stored.
/// </summary>
public sealed record EventFrame(
    System.Text.Json.JsonElement Data,
    string From,
    [property: JsonConverter(typeof(TimestampConverter))] DateTimeOffset Timestamp) : IServerFrame
{
    [JsonPropertyOrder(-1)]
    public string Type => FrameTypes.Event;
}

/// <summary>An <c>error</c>; <see cref="ErrorCodes"/> lists the codes.</summary>
public sealed record ErrorFrame(string Code, string Message, string? Id = null, long? RetryAfterMs = null) : IServerFrame
{
    [JsonPropertyOrder(-1)]
    public string Type => FrameTypes.Error;
}
