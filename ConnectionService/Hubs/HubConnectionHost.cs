using System.Diagnostics;
using Microsoft.AspNetCore.SignalR;
using RealtimeAspire.ConnectionService.Connections;
using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.ConnectionService.Rooms;
using RealtimeAspire.Contracts;

namespace RealtimeAspire.ConnectionService.Hubs;

/// <summary>
/// Gives every SignalR connection a <see cref="RealtimeConnection"/> of its own: the same registry, rooms, fanout,
/// presence, limits and drain as a WebSocket, with a <see cref="HubFrameTransport"/> in place of the socket.
/// </summary>
public sealed partial class HubConnectionHost(
    IHubContext<RealtimeHub> hub,
    ConnectionHost connectionHost,
    ConnectionRegistry registry,
    ConnectionAuthenticator authenticator,
    FrameHandler handler,
    RoomService rooms,
    RealtimeMetrics metrics,
    RealtimeOptions options,
    TimeProvider time,
    ILogger<HubConnectionHost> logger)
{
    private const string SessionKey = "realtime.session";

    public async Task OpenAsync(HubCallerContext context)
    {
        if (connectionHost.IsDraining)
        {
            throw new HubException("draining: this replica is shutting down; connect again.");
        }

        var transport = new HubFrameTransport(hub, context);
        var connection = new RealtimeConnection(transport, $"{options.ReplicaId}.{Guid.CreateVersion7():N}", time.GetUtcNow(), options);
        // Leaving the rooms at once: the others see user_left without waiting for SignalR to notice the abort.
        connection.Closing += closing => _ = rooms.LeaveAllAsync(closing);
        registry.Add(connection);
        metrics.Connected();
        context.Items[SessionKey] = new HubSession(connection, transport, connection.RunWriterAsync());
        LogOpened(logger, connection.Id, context.ConnectionId);

        try
        {
            // [Authorize] let the connection in with this token; the authenticator counts it against the user's limits.
            var token = ConnectionHost.RequestToken(context.GetHttpContext()!.Request);
            await authenticator.AuthenticateAsync(connection, token ?? "", context.ConnectionAborted);
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

        session.Connection.RequestClose(CloseCodes.Normal, "");
        await session.Writer;
        await connectionHost.TeardownAsync(session.Connection);
    }

    /// <summary>Handles a hub call's typed frame as one from a WebSocket; returns its answer.</summary>
    public async Task<RawJsonFrame?> CallAsync(HubCallerContext context, string? answerType, ClientFrame frame)
    {
        var arrivedAt = Stopwatch.GetTimestamp();
        var session = (HubSession)context.Items[SessionKey]!;
        var connection = session.Connection;
        var answer = session.Transport.BeginCall(answerType);

        await connection.ProcessingGate.WaitAsync(context.ConnectionAborted);
        try
        {
            if (!connection.IsClosing)
            {
                await handler.HandleAsync(connection, frame, arrivedAt, context.ConnectionAborted);
            }
        }
        finally
        {
            connection.ProcessingGate.Release();
        }

        // Behind every frame the call queued: when the writer reaches it, the answer is known.
        connection.TrySend(HubFrameTransport.EndOfCall);
        return await answer.WaitAsync(TimeSpan.FromMilliseconds(options.CloseTimeoutMs), context.ConnectionAborted);
    }

    private sealed record HubSession(RealtimeConnection Connection, HubFrameTransport Transport, Task Writer);

    [LoggerMessage(LogLevel.Debug, "Connection {ConnectionId} opened over SignalR ({SignalRConnectionId})")]
    private static partial void LogOpened(ILogger logger, string connectionId, string signalRConnectionId);
}
