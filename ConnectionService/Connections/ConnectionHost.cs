using System.Diagnostics;
using System.Net.WebSockets;
using Microsoft.Extensions.Primitives;
using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.ConnectionService.Redis;
using RealtimeAspire.ConnectionService.Rooms;
using RealtimeAspire.Contracts;
using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.ConnectionService.Connections;

/// <summary>Runs one WebSocket from upgrade to teardown, and drains them all when the replica shuts down.</summary>
public sealed partial class ConnectionHost(
    ConnectionRegistry registry,
    ConnectionAuthenticator authenticator,
    FrameHandler handler,
    RoomService rooms,
    UserLimits limits,
    RealtimeMetrics metrics,
    RealtimeOptions options,
    TimeProvider time,
    ILogger<ConnectionHost> logger)
{
    private const int AbnormalClosure = 1006;

    /// <summary>How long a connection the WebSocket layer closed for a protocol error stays up for its peer to read the close.</summary>
    private static readonly TimeSpan ProtocolErrorLinger = TimeSpan.FromSeconds(1);

    private volatile bool _draining;

    public bool IsDraining => _draining;

    public async Task RunAsync(HttpContext context)
    {
        var token = RequestToken(context.Request);
        // The header's copy of the token would otherwise live as long as the connection (ConnectionUser keeps its own).
        context.Request.Headers.Authorization = default;
        var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = context.WebSockets.WebSocketRequestedProtocols.Contains(FrameTypes.ProtocolName) ? FrameTypes.ProtocolName : null,
            // The server pings every interval; a peer that has not answered a ping within another interval is dropped.
            KeepAliveInterval = options.HeartbeatInterval,
            KeepAliveTimeout = options.HeartbeatInterval,
        });

        var connection = new RealtimeConnection(socket, $"{options.ReplicaId}.{Guid.CreateVersion7():N}", time.GetUtcNow(), options);
        connection.Closing += OnClosing;
        using var scope = logger.BeginScope(new ConnectionLogScope(connection, options.ReplicaId));
        registry.Add(connection);
        metrics.Connected();
        var writer = connection.RunWriterAsync();
        var lost = false;
        try
        {
            connection.TrySend(Frames.Welcome(connection.Id, options.HeartbeatIntervalMs));
            if (_draining)
            {
                connection.RequestClose(CloseCodes.GoingAway, "server shutting down");
            }
            else if (token is not null)
            {
                await authenticator.AuthenticateAsync(connection, token, context.RequestAborted);
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
            connection.RequestClose(CloseCodes.Normal, "");
            await writer;
            await TeardownAsync(connection, lost);
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

    /// <summary>On shutdown: every connection finishes the frame it is working on, then closes with 1001.</summary>
    public Task DrainAsync()
    {
        _draining = true;
        return Task.WhenAll(registry.All.Select(async connection =>
        {
            await connection.ProcessingGate.WaitAsync();
            try
            {
                connection.RequestClose(CloseCodes.GoingAway, "server shutting down");
            }
            finally
            {
                connection.ProcessingGate.Release();
            }
        }));
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
                await connection.ProcessingGate.WaitAsync(cancellationToken);
                try
                {
                    if (!connection.IsClosing)
                    {
                        await handler.HandleAsync(connection, incoming.Buffer.AsMemory(0, incoming.Length), arrivedAt, cancellationToken);
                    }
                }
                finally
                {
                    connection.ProcessingGate.Release();
                }
            }
            finally
            {
                RealtimeConnection.ReturnBuffer(incoming);
            }
        }

        // The server is closing: wait for the peer's close (or the close timeout's abort), ignoring anything else.
        await connection.DiscardUntilClosedAsync(cancellationToken);
    }

    private void OnClosing(RealtimeConnection connection) =>
        // Leaving the rooms at once: the others see user_left without waiting for the close handshake.
        _ = rooms.LeaveAllAsync(connection);

    /// <summary>Leaves the rooms, uncounts and forgets a finished connection (of either protocol).</summary>
    public async Task TeardownAsync(RealtimeConnection connection, bool lost = false)
    {
        try
        {
            await rooms.LeaveAllAsync(connection);
            if (connection.User is { } user)
            {
                registry.RemoveUserConnection(user.UserId, connection);
                await limits.RemoveConnectionAsync(user.UserId, UserLimits.ConnectionMember(connection.Id, connection.ConnectedAt));
            }
        }
        catch (Exception e)
        {
            // Leases expire on their own; the cluster heals without this.
            LogTeardownFailed(logger, e);
        }
        finally
        {
            registry.Remove(connection);
            // A connection lost without a close handshake counts as 1006, the code a peer would see.
            var (code, reason) = lost ? (AbnormalClosure, "connection lost") : (connection.CloseCode, connection.CloseReason);
            metrics.Disconnected(code, reason);
            if (code == CloseCodes.Normal)
            {
                LogClosed(logger, code);
            }
            else
            {
                LogClosedAbnormally(logger, code, reason);
            }

            connection.Dispose();
        }
    }

    public static string? RequestToken(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        return request.Query.TryGetValue("access_token", out var token) && !StringValues.IsNullOrEmpty(token) ? token.ToString() : null;
    }

    [LoggerMessage(LogLevel.Debug, "Connection lost: {Reason}")]
    private static partial void LogLost(ILogger logger, string reason);

    [LoggerMessage(LogLevel.Debug, "Connection closed with {CloseCode}")]
    private static partial void LogClosed(ILogger logger, int closeCode);

    [LoggerMessage(LogLevel.Information, "Connection closed with {CloseCode}: {CloseReason}")]
    private static partial void LogClosedAbnormally(ILogger logger, int closeCode, string closeReason);

    [LoggerMessage(LogLevel.Warning, "Cleaning up a closed connection failed")]
    private static partial void LogTeardownFailed(ILogger logger, Exception exception);
}
