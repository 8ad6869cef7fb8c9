namespace RealtimeAspire.Contracts.Frames;

/// <summary>The <c>type</c> of every frame of the protocol (v1 and v2), exactly as the protocol names them.</summary>
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

    // v2 (protocol.md §6, §7). Client → server.
    public const string Edit = "edit";
    public const string Delete = "delete";
    public const string React = "react";
    public const string Unreact = "unreact";
    public const string Read = "read"; // both ways: the client's read position, and its echo to the user's devices

    // v2. Server → client.
    public const string Event = "event";
    public const string MessageEdited = "message_edited";
    public const string MessageDeleted = "message_deleted";
    public const string Reaction = "reaction";
    public const string Receipt = "receipt";
#pragma warning restore CS1591

    /// <summary>The <c>kind</c> of a mention <c>notification</c>.</summary>
    public const string MentionKind = "mention";

    /// <summary>The WebSocket subprotocol and the <c>protocol</c> of <c>welcome</c>.</summary>
    public const string ProtocolName = "realtime.v1";
}
