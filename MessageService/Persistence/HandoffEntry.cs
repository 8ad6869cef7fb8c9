using System.Text.Json;
using RealtimeAspire.Contracts.Frames;
using RealtimeAspire.MessageService.Data;
using StackExchange.Redis;

namespace RealtimeAspire.MessageService.Persistence;

/// <summary>
/// One entry of a partition's hand-off stream: field <c>m</c> is the <c>message</c> frame JSON,
/// <c>tp</c> the W3C traceparent of the send. <see cref="Message"/> is null when the entry is malformed.
/// </summary>
public sealed record HandoffEntry(int Partition, RedisValue Id, StoredMessage? Message, string? TraceParent)
{
    public static HandoffEntry Parse(int partition, StreamEntry entry)
    {
        var traceParent = (string?)entry[RedisSchema.TraceParentField];
        return new HandoffEntry(partition, entry.Id, ParseMessage(entry[RedisSchema.FrameField]), string.IsNullOrEmpty(traceParent) ? null : traceParent);
    }

    public static StoredMessage? ParseMessage(RedisValue json)
    {
        if (json.IsNullOrEmpty)
        {
            return null;
        }

        IServerFrame? decoded;
        try
        {
            decoded = FrameCodec.DecodeServerFrame((byte[])json!);
        }
        catch (JsonException)
        {
            return null;
        }

        return decoded switch
        {
            MessageFrame frame => FromMessage(frame),
            IMessageEventFrame roomEvent => FromEvent(roomEvent),
            _ => null,
        };
    }

    private static StoredMessage? FromMessage(MessageFrame frame)
    {
        // The codec reads leniently; what PostgreSQL stores must have every field.
        if (frame is not { Room: not null, MessageId: not null, UserId: not null, Username: not null }
            || frame is { Content: null, Data: null }
            || !RoomIds.IsValid(frame.Room)
            || frame.Seq <= 0
            || !Guid.TryParse(frame.MessageId, out var messageId)
            || frame.Timestamp == default)
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
            Content = frame.Content is null ? null : WithoutNul(frame.Content),
            Data = StoredData(frame),
            Timestamp = frame.Timestamp,
        };
    }

    /// <summary>An edit, delete or reaction as a row of the room's sequence (<see cref="StoredMessage"/>).</summary>
    private static StoredMessage? FromEvent(IMessageEventFrame roomEvent)
    {
        if (roomEvent is not { Room: not null, MessageId: not null, UserId: not null }
            || !RoomIds.IsValid(roomEvent.Room)
            || roomEvent.Seq <= 0
            || !Guid.TryParse(roomEvent.MessageId, out var messageId))
        {
            return null;
        }

        var (content, data, timestamp, emoji, op) = roomEvent switch
        {
            MessageEditedFrame edited => (edited.Content is null ? null : WithoutNul(edited.Content),
                edited.Data is { ValueKind: JsonValueKind.Object } value && StructuredData.Unstorable(value) is null ? value.GetRawText() : null,
                edited.EditedAt, null, null),
            ReactionFrame { Emoji: not null, Op: ReactionFrame.Add or ReactionFrame.Remove } reaction =>
                ((string?)null, (string?)null, DateTimeOffset.UnixEpoch, WithoutNul(reaction.Emoji), reaction.Op),
            MessageDeletedFrame => ((string?)null, (string?)null, DateTimeOffset.UnixEpoch, (string?)null, (string?)null),
            _ => default,
        };
        if (timestamp == default)
        {
            return null;
        }

        return new StoredMessage
        {
            Room = roomEvent.Room,
            Seq = roomEvent.Seq,
            MessageId = messageId,
            UserId = WithoutNul(roomEvent.UserId),
            Username = "",
            Content = content,
            Data = data,
            Timestamp = timestamp,
            Kind = roomEvent.Type,
            Emoji = emoji,
            Op = op,
        };
    }

    /// <summary>The data as jsonb takes it; data it cannot hold (ConnectionService refuses such) is dropped, not the message.</summary>
    private static string? StoredData(MessageFrame frame) =>
        frame.Data is { ValueKind: JsonValueKind.Object } data && StructuredData.Unstorable(data) is null ? data.GetRawText() : null;

    private static string WithoutNul(string value) => value.Replace('\0', '\uFFFD');
}
