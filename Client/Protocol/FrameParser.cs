using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.Client.Protocol;

/// <summary>
/// Reads one server frame with the shared codec and maps it, in this one place, to the client's public event and
/// answer records; frames only the session needs (welcome, auth_*, left, pong) stay the codec's records.
/// </summary>
internal static class FrameParser
{
    /// <summary>The typed frame, or null for a type this client does not know (newer servers may add some).</summary>
    /// <exception cref="System.Text.Json.JsonException">The frame is not a JSON object with a string <c>type</c>, or a field has the wrong type.</exception>
    public static object? Parse(ReadOnlySpan<byte> utf8) => FrameCodec.DecodeServerFrame(utf8) switch
    {
        MessageFrame message => ToChatMessage(message),
        AckFrame ack => new MessageAck(ack.Id!, ack.Room, ack.MessageId, ack.Seq),
        JoinedFrame joined => new JoinedRoom(joined.Room, joined.Seq, joined.Recovered, ToMembers(joined.Members)),
        RoomUserFrame { Type: FrameTypes.UserJoined } user => new UserJoined(user.Room, user.UserId, user.Username),
        RoomUserFrame { Type: FrameTypes.UserLeft } user => new UserLeft(user.Room, user.UserId, user.Username),
        RoomUserFrame user => new UserTyping(user.Room, user.UserId, user.Username),
        PresenceFrame presence => new RoomPresence(presence.Room, ToMembers(presence.Members)),
        NotificationFrame notification => new Notification(notification.Kind, ToChatMessage(notification.Message)),
        ErrorFrame error => new ServerError(error.Code, error.Message, error.Id, error.RetryAfterMs),
        ReadFrame read => new ReadPosition(read.Room, read.Seq),
        ReceiptFrame receipt => new ReadReceipt(receipt.Room, receipt.UserId, receipt.Username, receipt.Seq),
        var other => other, // welcome, auth_success, auth_failed, left, pong; null for an unknown type
    };

    private static ChatMessage ToChatMessage(MessageFrame message) =>
        new(message.Room, message.MessageId, message.Seq, message.UserId, message.Username, message.Content, message.Timestamp, message.Data);

    private static IReadOnlyList<RoomMember> ToMembers(IReadOnlyList<PresenceMember>? members) =>
        members is null ? [] : [.. members.Select(member => new RoomMember(member.UserId, member.Username))];
}
