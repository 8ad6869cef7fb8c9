namespace RealtimeAspire.MessageService.Data;

/// <summary>One message as it was acknowledged to its sender; (Room, Seq) is its identity.</summary>
public sealed class StoredMessage
{
    public required string Room { get; init; }

    public required long Seq { get; init; }

    public required Guid MessageId { get; init; }

    public required string UserId { get; init; }

    public required string Username { get; init; }

    public required string Content { get; init; }

    public required DateTimeOffset Timestamp { get; init; }
}
