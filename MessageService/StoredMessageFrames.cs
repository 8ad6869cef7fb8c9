using System.Text.Json;
using RealtimeAspire.Contracts.Frames;
using RealtimeAspire.MessageService.Data;

namespace RealtimeAspire.MessageService;

/// <summary>Stored rows as the protocol's frames, the shapes history returns (RealtimeAspire.Contracts).</summary>
public static class StoredMessageFrames
{
    public static MessageFrame From(StoredMessage message) => new(
        message.Room,
        message.MessageId.ToString(),
        message.Seq,
        message.UserId,
        message.Username,
        message.Content,
        message.Timestamp,
        message.Data is null ? null : JsonElement.Parse(message.Data));

    /// <summary>An event row as the frame that was delivered live; <paramref name="scrubbed"/> drops an edit's content (its message was deleted).</summary>
    public static JsonElement FromEvent(StoredMessage row, bool scrubbed)
    {
        var messageId = row.MessageId.ToString();
        var frame = row.Kind switch
        {
            FrameTypes.MessageEdited => FrameCodec.Encode(
                new MessageEditedFrame(row.Room, row.Seq, messageId, scrubbed ? null : row.Content,
                    scrubbed || row.Data is null ? null : JsonElement.Parse(row.Data), row.Timestamp, row.UserId)),
            FrameTypes.MessageDeleted => FrameCodec.Encode(new MessageDeletedFrame(row.Room, row.Seq, messageId, row.UserId)),
            _ => FrameCodec.Encode(new ReactionFrame(row.Room, row.Seq, messageId, row.Emoji ?? "", row.UserId, row.Op ?? ReactionFrame.Add)),
        };
        using var document = JsonDocument.Parse(frame);
        return document.RootElement.Clone();
    }
}
