using System.Text.Json.Serialization;

namespace RealtimeAspire.Contracts.Frames;

#pragma warning disable CS1591 // the fields are the protocol's (protocol.md §7, "Read position")

/// <summary>A client's <c>read</c>: it has read the room up to and including <see cref="Seq"/>.</summary>
public sealed record ReadRequest(string Room, long Seq) : IClientFrame
{
    [JsonPropertyOrder(-1)]
    public string Type => FrameTypes.Read;
}

/// <summary>The server's <c>read</c>: the user's read position moved forward, sent to every live connection of the user.</summary>
public sealed record ReadFrame(string Room, long Seq) : IServerFrame
{
    [JsonPropertyOrder(-1)]
    public string Type => FrameTypes.Read;
}

/// <summary>A <c>receipt</c>: a member of the room has read it up to <see cref="Seq"/>; at most one a second per user and room.</summary>
public sealed record ReceiptFrame(string Room, string UserId, string Username, long Seq) : IServerFrame
{
    [JsonPropertyOrder(-1)]
    public string Type => FrameTypes.Receipt;
}

/// <summary>ConnectionService's call for a <c>read</c> frame to MessageService, which owns read positions.</summary>
public sealed record ReadPositionRequest(string UserId, string Username, long Seq);

/// <summary>MessageService's answer: the user's read position now, and whether this call moved it.</summary>
public sealed record ReadPositionResponse(string Room, long Seq, bool Moved);
