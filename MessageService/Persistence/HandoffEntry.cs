using System.Globalization;
using System.Text.Json;
using RealtimeAspire.MessageService.Data;
using StackExchange.Redis;

namespace RealtimeAspire.MessageService.Persistence;

/// <summary>
/// One entry of a partition's hand-off stream: field <c>m</c> is the <c>message</c> frame JSON,
/// <c>tp</c> the W3C traceparent of the send. <see cref="Message"/> is null when the entry is malformed.
/// </summary>
public sealed record HandoffEntry(int Partition, RedisValue Id, StoredMessage? Message, string? TraceParent)
{
    private static readonly JsonSerializerOptions FrameJson = new(JsonSerializerDefaults.Web)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    public static HandoffEntry Parse(int partition, StreamEntry entry)
    {
        var traceParent = (string?)entry["tp"];
        return new HandoffEntry(partition, entry.Id, ParseMessage(entry["m"]), string.IsNullOrEmpty(traceParent) ? null : traceParent);
    }

    public static StoredMessage? ParseMessage(RedisValue json)
    {
        if (json.IsNullOrEmpty)
        {
            return null;
        }

        MessageFrame? frame;
        try
        {
            frame = JsonSerializer.Deserialize<MessageFrame>((string)json!, FrameJson);
        }
        catch (JsonException)
        {
            return null;
        }

        if (frame is null
            || frame.Type != MessageFrame.MessageType
            || !RoomIds.IsValid(frame.Room)
            || frame.Seq <= 0
            || !Guid.TryParse(frame.MessageId, out var messageId)
            || !DateTimeOffset.TryParse(frame.Timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var timestamp))
        {
            return null;
        }

        return new StoredMessage
        {
            Room = frame.Room,
            Seq = frame.Seq,
            MessageId = messageId,
            UserId = WithoutNul(frame.UserId),
            Username = WithoutNul(frame.Username),
            // PostgreSQL text cannot hold U+0000; the replacement character keeps the rest of the message.
            Content = WithoutNul(frame.Content),
            Timestamp = timestamp.ToUniversalTime(),
        };
    }

    private static string WithoutNul(string value) => value.Replace('\0', '\uFFFD');
}
