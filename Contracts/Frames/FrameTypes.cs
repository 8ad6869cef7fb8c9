namespace RealtimeAspire.Contracts.Frames;

/// <summary>The <c>type</c> of every frame of protocol v1, exactly as the protocol names them.</summary>
public static class FrameTypes
{
#pragma warning disable CS1591 // the names say it; protocol.md describes each
    // Client → server.
    public const string Auth = "auth";
    public const string Join = "join";
    public const string Leave = "leave";
    public const string Message = "message";
    public const string Typing = "typing";
    public const string Presence = "presence";
    public const string Ping = "ping";

    // Server → client (message and presence are both ways).
    public const string Welcome = "welcome";
    public const string AuthSuccess = "auth_success";
    public const string AuthFailed = "auth_failed";
    public const string Joined = "joined";
    public const string Left = "left";
    public const string Ack = "ack";
    public const string UserJoined = "user_joined";
    public const string UserLeft = "user_left";
    public const string UserTyping = "user_typing";
    public const string Pong = "pong";
    public const string Notification = "notification";
    public const string Error = "error";
#pragma warning restore CS1591

    /// <summary>The <c>kind</c> of a mention <c>notification</c>.</summary>
    public const string MentionKind = "mention";

    /// <summary>The WebSocket subprotocol and the <c>protocol</c> of <c>welcome</c>.</summary>
    public const string ProtocolName = "realtime.v1";
}
