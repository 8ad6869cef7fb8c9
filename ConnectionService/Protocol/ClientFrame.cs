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
    Read,
}

/// <summary>A client frame that passed parsing: its fields have the right types and the ones its type needs are there.</summary>
public sealed record ClientFrame(ClientFrameType Type)
{
    public string? Token { get; init; }

    public string? Room { get; init; }

    public long? Since { get; init; }

    public string? Content { get; init; }

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
