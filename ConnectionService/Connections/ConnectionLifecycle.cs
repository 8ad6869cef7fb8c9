using System.Net.WebSockets;
using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.ConnectionService.Redis;
using RealtimeAspire.ConnectionService.Rooms;
using RealtimeAspire.Contracts;
using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.ConnectionService.Connections;

/// <summary>A registered connection and its writer loop, which completes once the connection has closed its side.</summary>
public readonly record struct OpenConnection(RealtimeConnection Connection, Task Writer);

/// <summary>
/// The life of a connection of either transport (WebSocket or SignalR): open and register, authenticate, serve its
/// frames one at a time, close and tear down; and the replica's drain, which closes them all.
/// </summary>
public sealed partial class ConnectionLifecycle(
    ConnectionRegistry registry,
    ConnectionAuthenticator authenticator,
    FrameHandler handler,
    RoomService rooms,
    UserLimits limits,
    RealtimeMetrics metrics,
    RealtimeOptions options,
    TimeProvider time,
    ILogger<ConnectionLifecycle> logger)
{
    private const int AbnormalClosure = 1006;

    private volatile bool _draining;

    public bool IsDraining => _draining;

    public OpenConnection Open(WebSocket socket) => Register(new RealtimeConnection(socket, NewId(), time.GetUtcNow(), options));

    public OpenConnection Open(IFrameTransport transport) => Register(new RealtimeConnection(transport, NewId(), time.GetUtcNow(), options));

    public Task AuthenticateAsync(RealtimeConnection connection, string token, CancellationToken cancellationToken) =>
        authenticator.AuthenticateAsync(connection, token, cancellationToken);

    /// <summary>Handles one client frame under the connection's processing gate, unless the connection is closing.</summary>
    public Task ServeAsync(RealtimeConnection connection, ReadOnlyMemory<byte> frame, long arrivedAt, CancellationToken cancellationToken) =>
        UnderGateAsync(connection, () => handler.HandleAsync(connection, frame, arrivedAt, cancellationToken), cancellationToken);

    /// <summary>The same for a frame that arrived typed (a SignalR hub call).</summary>
    public Task ServeAsync(RealtimeConnection connection, ClientFrame frame, long arrivedAt, CancellationToken cancellationToken) =>
        UnderGateAsync(connection, () => handler.HandleAsync(connection, frame, arrivedAt, cancellationToken), cancellationToken);

    private static async Task UnderGateAsync(RealtimeConnection connection, Func<Task> handle, CancellationToken cancellationToken)
    {
        await connection.ProcessingGate.WaitAsync(cancellationToken);
        try
        {
            if (!connection.IsClosing)
            {
                await handle();
            }
        }
        finally
        {
            connection.ProcessingGate.Release();
        }
    }

    /// <summary>Closes the connection (after its queued frames), waits for its writer, then tears it down.</summary>
    public async Task CloseAsync(OpenConnection open, bool lost = false)
    {
        open.Connection.RequestClose(CloseCodes.Normal, "");
        await open.Writer;
        await TeardownAsync(open.Connection, lost);
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

    private string NewId() => $"{options.ReplicaId}.{Guid.CreateVersion7():N}";

    private OpenConnection Register(RealtimeConnection connection)
    {
        // Leaving the rooms at once: the others see user_left without waiting for the transport to finish closing.
        connection.Closing += closing => _ = rooms.LeaveAllAsync(closing);
        registry.Add(connection);
        metrics.Connected();
        return new OpenConnection(connection, connection.RunWriterAsync());
    }

    /// <summary>Leaves the rooms, uncounts and forgets a finished connection.</summary>
    private async Task TeardownAsync(RealtimeConnection connection, bool lost)
    {
        try
        {
            await rooms.LeaveAllAsync(connection);
            if (connection.User is { } user)
            {
                registry.RemoveUserConnection(user.UserId, connection);
                await limits.RemoveConnectionAsync(user.UserId, user.Username, UserLimits.ConnectionMember(connection.Id, connection.ConnectedAt));
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

    [LoggerMessage(LogLevel.Debug, "Connection closed with {CloseCode}")]
    private static partial void LogClosed(ILogger logger, int closeCode);

    [LoggerMessage(LogLevel.Information, "Connection closed with {CloseCode}: {CloseReason}")]
    private static partial void LogClosedAbnormally(ILogger logger, int closeCode, string closeReason);

    [LoggerMessage(LogLevel.Warning, "Cleaning up a closed connection failed")]
    private static partial void LogTeardownFailed(ILogger logger, Exception exception);
}
