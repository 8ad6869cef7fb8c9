namespace RealtimeAspire.MessageService.Data;

public enum RoomVisibility
{
    Public,
    Private,
}

/// <summary>
/// A room someone created, or a public room recorded on its first join (or when its first message was stored):
/// such a room has no owner, so nobody can change its members or create it again.
/// </summary>
public sealed class Room
{
    public const int MaxIdLength = 128;

    public required string Id { get; init; }

    public required RoomVisibility Visibility { get; init; }

    public string? OwnerId { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public List<RoomMember> Members { get; init; } = [];
}

public sealed class RoomMember
{
    public required string RoomId { get; init; }

    public required string UserId { get; init; }

    public required string Username { get; init; }

    public required DateTimeOffset AddedAt { get; init; }
}
