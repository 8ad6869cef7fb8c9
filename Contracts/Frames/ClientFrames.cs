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

/// <summary>A client's <c>message</c>; <see cref="Id"/> is its own id, echoed in the ack and deduplicated.</summary>
public sealed record MessageRequest(string Room, string Content, string? Id = null) : IClientFrame
{
    [JsonPropertyOrder(-1)]
    public string Type => FrameTypes.Message;
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
