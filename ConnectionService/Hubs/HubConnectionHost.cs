using System.Diagnostics;
using Microsoft.AspNetCore.SignalR;
using RealtimeAspire.ConnectionService.Connections;
using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.ConnectionService.Rooms;
using RealtimeAspire.Contracts;

namespace RealtimeAspire.ConnectionService.Hubs;

/// <summary>
/// The SignalR transport: gives every hub connection a <see cref="RealtimeConnection"/> of its own, run through the
/// same <see cref="ConnectionLifecycle"/> as a WebSocket, with a <see cref="HubFrameTransport"/> in place of the socket.
/// </summary>
public sealed partial class HubConnectionHost(
    IHubContext<RealtimeHub> hub,
    ConnectionLifecycle lifecycle,
    RealtimeOptions options,
    ILogger<HubConnectionHost> logger)
{
    private const string SessionKey = "realtime.session";

    public async Task OpenAsync(HubCallerContext context)
    {
        if (lifecycle.IsDraining)
        {
            throw new HubException("draining: this replica is shutting down; connect again.");
        }

        var transport = new HubFrameTransport(hub, context);
        var open = lifecycle.Open(transport);
        context.Items[SessionKey] = new HubSession(open, transport);
        LogOpened(logger, open.Connection.Id, context.ConnectionId);

        try
        {
            // [Authorize] let the connection in with this token; the authenticator counts it against the user's limits.
            var token = RequestToken.Read(context.GetHttpContext()!.Request);
            await lifecycle.AuthenticateAsync(open.Connection, token ?? "", context.ConnectionAborted);
        }
        catch
        {
            // SignalR does not call OnDisconnectedAsync after a failed OnConnectedAsync.
            await CloseAsync(context);
            throw;
        }
    }

    public async Task CloseAsync(HubCallerContext context)
    {
        if (!context.Items.Remove(SessionKey, out var item) || item is not HubSession session)
        {
            return;
        }

        await lifecycle.CloseAsync(session.Open);
    }

    /// <summary>Handles a hub call's typed frame as one from a WebSocket; returns its answer.</summary>
    public async Task<RawJsonFrame?> CallAsync(HubCallerContext context, ClientFrame frame)
    {
        var arrivedAt = Stopwatch.GetTimestamp();
        var session = (HubSession)context.Items[SessionKey]!;
        var connection = session.Open.Connection;
        var answer = session.Transport.BeginCall();

        await lifecycle.ServeAsync(connection, frame, arrivedAt, context.ConnectionAborted);

        // Behind every frame the call queued: the answer is given once the writer has written them all.
        connection.TrySend(HubFrameTransport.EndOfCall);
        return await answer.WaitAsync(TimeSpan.FromMilliseconds(options.CloseTimeoutMs), context.ConnectionAborted);
    }

    private sealed record HubSession(OpenConnection Open, HubFrameTransport Transport);

    [LoggerMessage(LogLevel.Debug, "Connection {ConnectionId} opened over SignalR ({SignalRConnectionId})")]
    private static partial void LogOpened(ILogger logger, string connectionId, string signalRConnectionId);
}
