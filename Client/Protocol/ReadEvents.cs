namespace RealtimeAspire.Client;

/// <summary>This user's read position in a room, sent to every connection of the user when it moves.</summary>
/// <param name="Room">The room.</param>
/// <param name="Seq">Every message up to this seq is read.</param>
public sealed record ReadPosition(string Room, long Seq) : RealtimeEvent;

/// <summary>A member of the room has read it up to <paramref name="Seq"/>.</summary>
/// <param name="Room">The room.</param>
/// <param name="UserId">The reader's id.</param>
/// <param name="Username">The reader's name.</param>
/// <param name="Seq">The reader's position.</param>
public sealed record ReadReceipt(string Room, string UserId, string Username, long Seq) : RealtimeEvent;

/// <summary>A room of the user's room list.</summary>
/// <param name="Room">The room.</param>
/// <param name="Visibility"><c>public</c> or <c>private</c>.</param>
/// <param name="LastSeq">The latest stored message's seq (0 when none).</param>
/// <param name="LastMessage">That message, when there is one.</param>
/// <param name="ReadSeq">The user's read position (0 when never read).</param>
/// <param name="Unread">Messages after <paramref name="ReadSeq"/> not sent by the user.</param>
public sealed record MyRoom(string Room, string Visibility, long LastSeq, ChatMessage? LastMessage, long ReadSeq, int Unread);
