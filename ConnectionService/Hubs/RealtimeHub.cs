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

    /// <summary>Answers null, or an <c>error</c>.</summary>
    public Task<RawJsonFrame?> Typing(string room) =>
        host.CallAsync(Context, new ClientFrame(ClientFrameType.Typing) { Room = room });

    public Task<RawJsonFrame?> Presence(string room) =>
        host.CallAsync(Context, new ClientFrame(ClientFrameType.Presence) { Room = room });
}
