using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace RealtimeAspire.ConnectionService.Hubs;

/// <summary>
/// The realtime.v1 rooms over SignalR (docs/protocol.md, "SignalR"). Each call is turned into the WebSocket frame
/// it stands for and handled by the same code; its answer frame is the call's result, an <c>error</c> frame included.
/// </summary>
[Authorize]
public sealed class RealtimeHub(HubConnectionHost host) : Hub
{
    public override Task OnConnectedAsync() => host.OpenAsync(Context);

    public override Task OnDisconnectedAsync(Exception? exception) => host.CloseAsync(Context);

    /// <summary>Answers <c>joined</c>; with <paramref name="since"/>, the missed messages follow as <c>message</c> events.</summary>
    public Task<RawJsonFrame?> Join(string room, long? since) =>
        host.CallAsync(Context, "joined", json =>
        {
            json.WriteString("type", "join");
            json.WriteString("room", room);
            if (since is { } after)
            {
                json.WriteNumber("since", after);
            }
        });

    public Task<RawJsonFrame?> Leave(string room) =>
        host.CallAsync(Context, "left", json =>
        {
            json.WriteString("type", "leave");
            json.WriteString("room", room);
        });

    /// <summary>Answers the <c>ack</c>; every member of the room, the sender included, gets the <c>message</c> event.</summary>
    public Task<RawJsonFrame?> Send(string room, string content, string? id) =>
        host.CallAsync(Context, "ack", json =>
        {
            json.WriteString("type", "message");
            json.WriteString("room", room);
            json.WriteString("content", content);
            if (id is not null)
            {
                json.WriteString("id", id);
            }
        });

    /// <summary>Answers null, or an <c>error</c>.</summary>
    public Task<RawJsonFrame?> Typing(string room) =>
        host.CallAsync(Context, null, json =>
        {
            json.WriteString("type", "typing");
            json.WriteString("room", room);
        });

    public Task<RawJsonFrame?> Presence(string room) =>
        host.CallAsync(Context, "presence", json =>
        {
            json.WriteString("type", "presence");
            json.WriteString("room", room);
        });
}
