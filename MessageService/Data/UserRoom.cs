namespace RealtimeAspire.MessageService.Data;

/// <summary>
/// A room on a user's room list ("my rooms", protocol.md §7): put there by a join or by being added to a private room,
/// taken off by <c>leave</c> with <c>forget</c> or a removal. The key (UserId, Room) is the list's index.
/// </summary>
public sealed class UserRoom
{
    public required string UserId { get; init; }

    public required string Room { get; init; }

    public required DateTimeOffset AddedAt { get; init; }
}

/// <summary>
/// A user's read position in a room: every message up to <see cref="Seq"/> is read. Kept apart from the room list, so a
/// forgotten room keeps its position; the key (Room, UserId) answers a room's reads in one range scan.
/// </summary>
public sealed class RoomRead
{
    public required string Room { get; init; }

    public required string UserId { get; init; }

    public required string Username { get; set; }

    public required long Seq { get; set; }

    public required DateTimeOffset ReadAt { get; set; }
}
