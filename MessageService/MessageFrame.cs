using System.Globalization;
using RealtimeAspire.MessageService.Data;

namespace RealtimeAspire.MessageService;

/// <summary>The protocol's <c>message</c> frame: what clients receive live, what the hand-off carries, what history returns.</summary>
public sealed record MessageFrame(
    string Type,
    string Room,
    string MessageId,
    long Seq,
    string UserId,
    string Username,
    string Content,
    string Timestamp)
{
    public const string MessageType = "message";

    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static MessageFrame From(StoredMessage message) => new(
        MessageType,
        message.Room,
        message.MessageId.ToString(),
        message.Seq,
        message.UserId,
        message.Username,
        message.Content,
        message.Timestamp.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture));
}
