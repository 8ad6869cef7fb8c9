using System.Text.Json;
using System.Text.Json.Serialization;

namespace RealtimeAspire.Contracts.Frames;

#pragma warning disable CS1591 // the fields are the protocol's (protocol.md, "Client → server")

/// <summary>A frame a client sends; <see cref="Type"/> is written first. The server validates them strictly.</summary>
public interface IClientFrame
{
    string Type { get; }
}

public sealed record AuthRequest(string Token) : IClientFrame
{
    [JsonPropertyOrder(-1)]
    public string Type => FrameTypes.Auth;
}

public sealed record JoinRequest(string Room, long? Since = null) : IClientFrame
{
    [JsonPropertyOrder(-1)]
    public string Type => FrameTypes.Join;
}

/// <summary>A <c>leave</c>; with <see cref="Forget"/> the room also leaves the user's room list (protocol.md §7).</summary>
public sealed record LeaveRequest(string Room, bool? Forget = null) : IClientFrame
{
    [JsonPropertyOrder(-1)]
    public string Type => FrameTypes.Leave;
}

/// <summary>
/// A client's <c>message</c>: <see cref="Content"/>, <see cref="Data"/> (a JSON object) or both; <see cref="Id"/> is
/// its own id, echoed in the ack and deduplicated.
/// </summary>
public sealed record MessageRequest(string Room, string? Content, string? Id = null, JsonElement? Data = null) : IClientFrame
{
    [JsonPropertyOrder(-1)]
    public string Type => FrameTypes.Message;

    public bool Equals(MessageRequest? other) =>
        other is not null && (Room, Content, Id) == (other.Room, other.Content, other.Id) && StructuredData.Same(Data, other.Data);

    public override int GetHashCode() => HashCode.Combine(Room, Content, Id);
}

public sealed record TypingRequest(string Room) : IClientFrame
{
    [JsonPropertyOrder(-1)]
    public string Type => FrameTypes.Typing;
}

public sealed record PresenceRequest(string Room) : IClientFrame
{
    [JsonPropertyOrder(-1)]
    public string Type => FrameTypes.Presence;
}

public sealed record PingRequest : IClientFrame
{
    [JsonPropertyOrder(-1)]
    public string Type => FrameTypes.Ping;
}

/// <summary>A client's <c>edit</c> of its own message (protocol.md §7); <see cref="Id"/> as a message's.</summary>
public sealed record EditRequest(string Room, string MessageId, string? Content, string? Id = null, JsonElement? Data = null) : IClientFrame
{
    [JsonPropertyOrder(-1)]
    public string Type => FrameTypes.Edit;

    public bool Equals(EditRequest? other) =>
        other is not null && (Room, MessageId, Content, Id) == (other.Room, other.MessageId, other.Content, other.Id) && StructuredData.Same(Data, other.Data);

    public override int GetHashCode() => HashCode.Combine(Room, MessageId, Content, Id);
}

/// <summary>A client's <c>delete</c> of a message (its author's or, for the room's owner, anyone's).</summary>
public sealed record DeleteRequest(string Room, string MessageId, string? Id = null) : IClientFrame
{
    [JsonPropertyOrder(-1)]
    public string Type => FrameTypes.Delete;
}

/// <summary>A client's <c>react</c> or <c>unreact</c>: the same fields, another type.</summary>
public sealed record ReactionRequest([property: JsonPropertyOrder(-1)] string Type, string Room, string MessageId, string Emoji, string? Id = null) : IClientFrame;
