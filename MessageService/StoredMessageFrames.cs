using System.Text.Json;
using RealtimeAspire.Contracts.Frames;
using RealtimeAspire.MessageService.Data;

namespace RealtimeAspire.MessageService;

/// <summary>A stored message as the protocol's <c>message</c> frame, the one shape history returns (RealtimeAspire.Contracts).</summary>
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
}
