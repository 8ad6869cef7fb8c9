using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.ConnectionService.Rooms;

/// <summary>
/// A pub/sub payload (the <see cref="Envelope"/> of a frame) read once per replica: the frame bytes that every
/// local recipient shares, and the few fields fanout needs (a message's seq, a typing user), and for telemetry the
/// publisher's trace context and a message's timestamp.
/// </summary>
public readonly record struct RoomEvent(
    ReadOnlyMemory<byte> Frame, string? Type, long Seq, string? UserId, string TraceParent = "", DateTimeOffset? Timestamp = null)
{
    public bool IsTyping => Type == FrameTypes.UserTyping;

    public static RoomEvent Parse(byte[] payload)
    {
        var (traceParent, frame) = Envelope.Decode(payload);
        // Only our own replicas publish here; a frame they wrote that does not parse is passed on as it is.
        var header = FrameCodec.ReadHeader(frame.Span);
        return new RoomEvent(frame, header.Type, RoomSequence.IsSequenced(header.Type) ? header.Seq : 0, header.UserId, traceParent, header.Timestamp);
    }
}
