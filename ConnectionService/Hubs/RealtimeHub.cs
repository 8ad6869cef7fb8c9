using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using RealtimeAspire.ConnectionService.Protocol;

namespace RealtimeAspire.ConnectionService.Hubs;

/// <summary>
/// The realtime.v1 rooms over SignalR (docs/protocol.md, "SignalR"). Each call becomes the typed client frame it
/// stands for and is handled by the same code as a WebSocket's; its answer frame is the call's result, an
/// <c>error</c> frame included.
/// </summary>
[Authorize]
public sealed class RealtimeHub(HubConnectionHost host) : Hub
{
    public override Task OnConnectedAsync() => host.OpenAsync(Context);

    public override Task OnDisconnectedAsync(Exception? exception) => host.CloseAsync(Context);

    /// <summary>Answers <c>joined</c>; with <paramref name="since"/>, the missed messages follow as <c>message</c> events.</summary>
    public Task<RawJsonFrame?> Join(string room, long? since) =>
        host.CallAsync(Context, new ClientFrame(ClientFrameType.Join) { Room = room, Since = since });

    public Task<RawJsonFrame?> Leave(string room) =>
        host.CallAsync(Context, new ClientFrame(ClientFrameType.Leave) { Room = room });

    /// <summary><c>leave</c> with <c>forget</c> (SignalR has no optional arguments, and Leave(room) stays as it was).</summary>
    public Task<RawJsonFrame?> LeaveAndForget(string room) =>
        host.CallAsync(Context, new ClientFrame(ClientFrameType.Leave) { Room = room, Forget = true });

    /// <summary>Answers null, or an <c>error</c>; a moved position arrives as the <c>read</c> event on every connection of the user.</summary>
    public Task<RawJsonFrame?> Read(string room, long seq) =>
        host.CallAsync(Context, new ClientFrame(ClientFrameType.Read) { Room = room, Seq = seq });

    /// <summary>Answers the <c>ack</c>; every member of the room, the sender included, gets the <c>message</c> event.</summary>
    public Task<RawJsonFrame?> Send(string room, string content, string? id) =>
        host.CallAsync(Context, new ClientFrame(ClientFrameType.Message) { Room = room, Content = content, Id = id });

    /// <summary>
    /// <see cref="Send"/> with structured <c>data</c> (protocol.md §5): one object argument, because SignalR matches
    /// a call by name and argument count and a client has no optional arguments.
    /// </summary>
    public Task<RawJsonFrame?> SendMessage(string room, HubMessage? message) =>
        host.CallAsync(Context, new ClientFrame(ClientFrameType.Message) { Room = room, Content = message?.Content, Data = message?.Data, Id = message?.Id });

    /// <summary>Answers null, or an <c>error</c>.</summary>
    public Task<RawJsonFrame?> Typing(string room) =>
        host.CallAsync(Context, new ClientFrame(ClientFrameType.Typing) { Room = room });

    public Task<RawJsonFrame?> Presence(string room) =>
        host.CallAsync(Context, new ClientFrame(ClientFrameType.Presence) { Room = room });

    /// <summary>Answers the <c>ack</c> (the message's id, the event's seq); the room gets the <c>message_edited</c> event.</summary>
    public Task<RawJsonFrame?> Edit(string room, string messageId, string? content, string? id) =>
        host.CallAsync(Context, new ClientFrame(ClientFrameType.Edit) { Room = room, MessageId = messageId, Content = content, Id = id });

    /// <summary><see cref="Edit"/> with structured <c>data</c>, one object argument as <see cref="SendMessage"/> takes it.</summary>
    public Task<RawJsonFrame?> EditMessage(string room, string messageId, HubMessage? edit) =>
        host.CallAsync(Context, new ClientFrame(ClientFrameType.Edit) { Room = room, MessageId = messageId, Content = edit?.Content, Data = edit?.Data, Id = edit?.Id });

    /// <summary>Answers the <c>ack</c>; the room gets the <c>message_deleted</c> event.</summary>
    public Task<RawJsonFrame?> Delete(string room, string messageId, string? id) =>
        host.CallAsync(Context, new ClientFrame(ClientFrameType.Delete) { Room = room, MessageId = messageId, Id = id });

    /// <summary>Answers the <c>ack</c>; the room gets the <c>reaction</c> event with <c>op:"add"</c>.</summary>
    public Task<RawJsonFrame?> React(string room, string messageId, string emoji, string? id) =>
        host.CallAsync(Context, new ClientFrame(ClientFrameType.React) { Room = room, MessageId = messageId, Emoji = emoji, Id = id });

    /// <summary>Answers the <c>ack</c>; the room gets the <c>reaction</c> event with <c>op:"remove"</c>.</summary>
    public Task<RawJsonFrame?> Unreact(string room, string messageId, string emoji, string? id) =>
        host.CallAsync(Context, new ClientFrame(ClientFrameType.Unreact) { Room = room, MessageId = messageId, Emoji = emoji, Id = id });
}
