using System.Globalization;
using System.Text;
using System.Text.Json;

namespace RealtimeAspire.ConnectionService.Protocol;

/// <summary>Serializes server frames once, to UTF-8 bytes that are shared by every recipient.</summary>
public static class Frames
{
    public const string ProtocolName = "realtime.v1";

    private static ServerJsonContext Json => ServerJsonContext.Default;

    public static byte[] Welcome(string connectionId, int heartbeatIntervalMs) =>
        JsonSerializer.SerializeToUtf8Bytes(new WelcomeFrame(connectionId, heartbeatIntervalMs, ProtocolName), Json.WelcomeFrame);

    public static byte[] AuthSuccess(string userId, string username, string connectionId) =>
        JsonSerializer.SerializeToUtf8Bytes(new AuthSuccessFrame(userId, username, connectionId), Json.AuthSuccessFrame);

    public static byte[] AuthFailed(string message) =>
        JsonSerializer.SerializeToUtf8Bytes(new AuthFailedFrame(message), Json.AuthFailedFrame);

    public static byte[] Joined(string room, long seq, bool recovered, IReadOnlyList<PresenceMember> members) =>
        JsonSerializer.SerializeToUtf8Bytes(new JoinedFrame(room, seq, recovered, members), Json.JoinedFrame);

    public static byte[] Left(string room) => JsonSerializer.SerializeToUtf8Bytes(new LeftFrame(room), Json.LeftFrame);

    public static byte[] Presence(string room, IReadOnlyList<PresenceMember> members) =>
        JsonSerializer.SerializeToUtf8Bytes(new PresenceFrame(room, members), Json.PresenceFrame);

    public static string RoomUser(string type, string room, string userId, string username) =>
        JsonSerializer.Serialize(new RoomUserFrame(type, room, userId, username), Json.RoomUserFrame);

    public static byte[] Pong(DateTimeOffset now) =>
        JsonSerializer.SerializeToUtf8Bytes(new PongFrame(Timestamp(now)), Json.PongFrame);

    public static byte[] Error(string code, string message, string? id = null, long? retryAfterMs = null) =>
        JsonSerializer.SerializeToUtf8Bytes(new ErrorFrame(code, message, id, retryAfterMs), Json.ErrorFrame);

    /// <summary>A JSON string literal, quotes included, safe to splice into a frame.</summary>
    public static string Quote(string value) => JsonSerializer.Serialize(value, Json.String);

    /// <summary>A <c>message</c> frame split around its <c>seq</c>, which only the Redis script knows.</summary>
    public static (string Prefix, string Suffix) MessageAroundSeq(
        string room, string messageId, string userId, string username, string content, DateTimeOffset timestamp) =>
        ($"{{\"type\":\"message\",\"room\":{Quote(room)},\"messageId\":{Quote(messageId)},\"seq\":",
         $",\"userId\":{Quote(userId)},\"username\":{Quote(username)},\"content\":{Quote(content)},\"timestamp\":\"{Timestamp(timestamp)}\"}}");

    /// <summary>An <c>ack</c> frame split around its <c>seq</c>.</summary>
    public static string AckPrefix(string? clientId, string room, string messageId) =>
        clientId is null
            ? $"{{\"type\":\"ack\",\"room\":{Quote(room)},\"messageId\":{Quote(messageId)},\"seq\":"
            : $"{{\"type\":\"ack\",\"id\":{Quote(clientId)},\"room\":{Quote(room)},\"messageId\":{Quote(messageId)},\"seq\":";

    public static byte[] MentionNotification(ReadOnlySpan<byte> messageFrame)
    {
        var prefix = "{\"type\":\"notification\",\"kind\":\"mention\",\"message\":"u8;
        var bytes = new byte[prefix.Length + messageFrame.Length + 1];
        prefix.CopyTo(bytes);
        messageFrame.CopyTo(bytes.AsSpan(prefix.Length));
        bytes[^1] = (byte)'}';
        return bytes;
    }

    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static byte[] Utf8(string json) => Encoding.UTF8.GetBytes(json);
}
