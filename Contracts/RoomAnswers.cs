using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.Contracts;

/// <summary>A history page (<c>GET /api/rooms/{room}/messages</c>): the room's messages, ascending by seq.</summary>
/// <param name="Messages">Each exactly the <c>message</c> frame that was delivered live.</param>
public sealed record MessagesPage(IReadOnlyList<MessageFrame> Messages);

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
