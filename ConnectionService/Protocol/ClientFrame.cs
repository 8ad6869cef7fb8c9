using System.Text.Json;

namespace RealtimeAspire.ConnectionService.Protocol;

public enum ClientFrameType
{
    Auth,
    Join,
    Leave,
    Message,
    Typing,
    Presence,
    Ping,
    Edit,
    Delete,
    React,
    Unreact,
    Read,
}

/// <summary>A client frame that passed parsing: its fields have the right types and the ones its type needs are there.</summary>
public sealed record ClientFrame(ClientFrameType Type)
{
    public bool Equals(ClientFrame? other) =>
        other is not null && (Type, Token, Room, Since, Content, Id) == (other.Type, other.Token, other.Room, other.Since, other.Content, other.Id)
        && Contracts.Frames.StructuredData.Same(Data, other.Data);

    public override int GetHashCode() => HashCode.Combine(Type, Room, Content, Id);

    public string? Token { get; init; }

    public string? Room { get; init; }

    public long? Since { get; init; }

    public string? Content { get; init; }

    /// <summary>The message an <c>edit</c>, <c>delete</c>, <c>react</c> or <c>unreact</c> is about.</summary>
    public string? MessageId { get; init; }

    /// <summary>The emoji of a <c>react</c> or <c>unreact</c>.</summary>
    public string? Emoji { get; init; }

    /// <summary>The structured payload of a <c>message</c> (protocol.md §5), as the client sent it.</summary>
    public JsonElement? Data { get; init; }
    /// <summary>The position of a <c>read</c>.</summary>
    public long? Seq { get; init; }

    /// <summary>A <c>leave</c> that also takes the room off the user's room list.</summary>
    public bool Forget { get; init; }

    /// <summary>The client's own id of a <c>message</c>, echoed in its ack or error.</summary>
    public string? Id { get; init; }
}

/// <summary>The outcome of parsing one text frame: a frame, or the error the protocol names for it.</summary>
public readonly record struct ParseResult(ClientFrame? Frame, string? ErrorCode, string? ErrorMessage, string? Id)
{
    public static ParseResult Success(ClientFrame frame) => new(frame, null, null, frame.Id);

    public static ParseResult Failure(string code, string message, string? id = null) => new(null, code, message, id);
}
