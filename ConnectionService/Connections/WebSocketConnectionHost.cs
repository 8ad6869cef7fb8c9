using System.Diagnostics;
using System.Net.WebSockets;
using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.Contracts;
using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.ConnectionService.Connections;

/// <summary>The WebSocket transport: runs one <c>/ws</c> connection from upgrade to close through the <see cref="ConnectionLifecycle"/>.</summary>
public sealed partial class WebSocketConnectionHost(
    ConnectionLifecycle lifecycle,
    RealtimeOptions options,
    ILogger<WebSocketConnectionHost> logger)
{
    /// <summary>How long a connection the WebSocket layer closed for a protocol error stays up for its peer to read the close.</summary>
    private static readonly TimeSpan ProtocolErrorLinger = TimeSpan.FromSeconds(1);

    public async Task RunAsync(HttpContext context)
    {
        var token = RequestToken.Read(context.Request);
        // The header's copy of the token would otherwise live as long as the connection (ConnectionUser keeps its own).
        context.Request.Headers.Authorization = default;
        var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = context.WebSockets.WebSocketRequestedProtocols.Contains(FrameTypes.ProtocolName) ? FrameTypes.ProtocolName : null,
            // The server pings every interval; a peer that has not answered a ping within another interval is dropped.
            KeepAliveInterval = options.HeartbeatInterval,
            KeepAliveTimeout = options.HeartbeatInterval,
        });

        var open = lifecycle.Open(socket);
        var connection = open.Connection;
        using var scope = logger.BeginScope(new ConnectionLogScope(connection, options.ReplicaId));
        var lost = false;
        try
        {
            connection.TrySend(Frames.Welcome(connection.Id, options.HeartbeatIntervalMs));
            if (lifecycle.IsDraining)
            {
                connection.RequestClose(CloseCodes.GoingAway, "server shutting down");
            }
            else if (token is not null)
            {
                await lifecycle.AuthenticateAsync(connection, token, context.RequestAborted);
            }

            await ReadAsync(connection, context.RequestAborted);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            LogLost(logger, e.Message);
            lost = !connection.IsClosing;
            if (e is WebSocketException)
            {
                await LingerAsync(context.RequestAborted);
            }
        }
        finally
        {
            await lifecycle.CloseAsync(open, lost);
        }
    }

    /// <summary>
    /// A frame that breaks the WebSocket rules (bad UTF-8, a bad control frame, …) makes the WebSocket layer send its
    /// close (1002, 1007) and fail the read. Ending the request at once would reset the TCP connection, and a reset can
    /// overtake that close frame (through the Gateway, the client then sees 1006). So the connection stays up until
    /// the peer hangs up or for a second, whichever comes first.
    /// </summary>
    private static async Task LingerAsync(CancellationToken peerGone)
    {
        try
        {
            await Task.Delay(ProtocolErrorLinger, peerGone);
        }
        catch (OperationCanceledException)
        {
            // The peer hung up first: nothing left to wait for.
        }
    }

    private async Task ReadAsync(RealtimeConnection connection, CancellationToken cancellationToken)
    {
        while (!connection.IsClosing)
        {
            var incoming = await connection.ReceiveAsync(options.MaxFrameBytes, cancellationToken);
            if (incoming.Kind == IncomingFrameKind.Closed)
            {
                connection.RequestClose(CloseCodes.Normal, "");
                return;
            }

            if (incoming.Kind == IncomingFrameKind.Violation)
            {
                connection.RequestClose(incoming.CloseCode, incoming.Reason!);
                break;
            }

            var arrivedAt = Stopwatch.GetTimestamp();
            try
            {
                await lifecycle.ServeAsync(connection, incoming.Buffer.AsMemory(0, incoming.Length), arrivedAt, cancellationToken);
            }
            finally
            {
                RealtimeConnection.ReturnBuffer(incoming);
            }
        }

        // The server is closing: wait for the peer's close (or the close timeout's abort), ignoring anything else.
        await connection.DiscardUntilClosedAsync(cancellationToken);
    }

    [LoggerMessage(LogLevel.Debug, "Connection lost: {Reason}")]
    private static partial void LogLost(ILogger logger, string reason);
}
