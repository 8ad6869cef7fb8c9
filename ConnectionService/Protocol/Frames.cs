using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.ConnectionService.Protocol;

/// <summary>The server frames ConnectionService sends, encoded once by the shared codec to bytes every recipient shares.</summary>
public static class Frames
{
    public static byte[] Welcome(string connectionId, int heartbeatIntervalMs) =>
        FrameCodec.Encode(new WelcomeFrame(connectionId, heartbeatIntervalMs, FrameTypes.ProtocolName));

    public static byte[] AuthSuccess(string userId, string username, string connectionId) =>
        FrameCodec.Encode(new AuthSuccessFrame(userId, username, connectionId));

    public static byte[] AuthFailed(string message) => FrameCodec.Encode(new AuthFailedFrame(message));

    public static byte[] Joined(string room, long seq, bool recovered, IReadOnlyList<PresenceMember> members) =>
        FrameCodec.Encode(new JoinedFrame(room, seq, recovered, members));

    public static byte[] Left(string room) => FrameCodec.Encode(new LeftFrame(room));

    public static byte[] Presence(string room, IReadOnlyList<PresenceMember> members) =>
        FrameCodec.Encode(new PresenceFrame(room, members));

    /// <summary>A <c>user_joined</c>, <c>user_left</c> or <c>user_typing</c> frame, in the pub/sub envelope without a trace.</summary>
    public static string RoomUserEnvelope(string type, string room, string userId, string username) =>
        Envelope.Encode(null, FrameCodec.EncodeToString(new RoomUserFrame(type, room, userId, username)));

    public static byte[] Pong(DateTimeOffset now) => FrameCodec.Encode(new PongFrame(now));

    public static byte[] Error(string code, string message, string? id = null, long? retryAfterMs = null) =>
        FrameCodec.Encode(new ErrorFrame(code, message, id, retryAfterMs));

    /// <summary>The mention <c>notification</c> that carries a message frame as it was delivered.</summary>
    public static byte[] MentionNotification(ReadOnlySpan<byte> messageFrame) =>
        FrameCodec.Encode(new NotificationFrame(FrameTypes.MentionKind, FrameCodec.Decode<MessageFrame>(messageFrame)));
}
