namespace RealtimeAspire.Contracts.Frames;

/// <summary>
/// An order to the ConnectionService replicas, published by MessageService or a replica (on the control channel or
/// a user's channel, in an <see cref="Envelope"/>): make a user leave a room, or close one connection.
/// </summary>
/// <param name="Type"><see cref="Kick"/>, <see cref="Close"/> or <see cref="ForgetAccess"/>.</param>
/// <param name="Room">The room to leave (kick).</param>
/// <param name="UserId">The user to kick.</param>
/// <param name="ConnectionId">The connection to close (close).</param>
/// <param name="Code">The close code (close).</param>
/// <param name="Reason">The close reason (close).</param>
public sealed record ControlOrder(string Type, string? Room = null, string? UserId = null, string? ConnectionId = null, int? Code = null, string? Reason = null)
{
    /// <summary>Every live connection of <see cref="UserId"/> leaves <see cref="Room"/>.</summary>
    public const string Kick = "kick";

    /// <summary>The connection <see cref="ConnectionId"/> closes with <see cref="Code"/>.</summary>
    public const string Close = "close";

    /// <summary>
    /// Every replica drops its cached join grant of <see cref="UserId"/> for <see cref="Room"/>: the room left the
    /// user's room list, and the next join must reach MessageService to put it back.
    /// </summary>
    public const string ForgetAccess = "forget-access";
}
