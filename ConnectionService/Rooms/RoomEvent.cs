using System.Text;
using System.Text.Json;

namespace RealtimeAspire.ConnectionService.Rooms;

/// <summary>
/// A pub/sub payload (<c>&lt;traceparent&gt;\n&lt;frame JSON&gt;</c>) read once per replica: the frame bytes that every
/// local recipient shares, and the few fields fanout needs (a message's seq, a typing user), and for telemetry the
/// publisher's trace context and a message's timestamp.
/// </summary>
public readonly record struct RoomEvent(
    ReadOnlyMemory<byte> Frame, string? Type, long Seq, string? UserId, string TraceParent = "", DateTimeOffset? Timestamp = null)
{
    public bool IsTyping => Type == "user_typing";

    public static RoomEvent Parse(byte[] payload)
    {
        var newline = Array.IndexOf(payload, (byte)'\n');
        var frame = new ReadOnlyMemory<byte>(payload, newline + 1, payload.Length - newline - 1);
        string? type = null;
        string? userId = null;
        DateTimeOffset? timestamp = null;
        long seq = 0;
        try
        {
            var reader = new Utf8JsonReader(frame.Span);
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueSpan;
                reader.Read();
                if (name.SequenceEqual("type"u8))
                {
                    type = reader.GetString();
                }
                else if (name.SequenceEqual("seq"u8) && reader.TokenType == JsonTokenType.Number)
                {
                    seq = reader.GetInt64();
                }
                else if (name.SequenceEqual("userId"u8) && reader.TokenType == JsonTokenType.String)
                {
                    userId = reader.GetString();
                }
                else if (name.SequenceEqual("timestamp"u8) && reader.TryGetDateTimeOffset(out var at))
                {
                    timestamp = at;
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            // Only our own replicas publish here; a frame they wrote that does not parse is passed on as it is.
        }

        var traceParent = newline > 0 ? Encoding.ASCII.GetString(payload, 0, newline) : "";
        return new RoomEvent(frame, type, type == "message" ? seq : 0, userId, traceParent, timestamp);
    }
}
