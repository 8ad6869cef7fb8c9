namespace RealtimeAspire.MessageService.Data;

/// <summary>One message as it was acknowledged to its sender; (Room, Seq) is its identity.</summary>
public sealed class StoredMessage
{
    public required string Room { get; init; }

    public required long Seq { get; init; }

    public required Guid MessageId { get; init; }

    public required string UserId { get; init; }

    public required string Username { get; init; }

    /// <summary>The text; null for a message that carries only <see cref="Data"/>.</summary>
    public string? Content { get; init; }

    /// <summary>The message's <c>data</c> object as JSON (a jsonb column), or null.</summary>
    public string? Data { get; init; }

    public required DateTimeOffset Timestamp { get; init; }
}
