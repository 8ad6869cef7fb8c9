using RealtimeAspire.ConnectionService.Messages;
using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.ConnectionService.Rooms;
using RealtimeAspire.Contracts;

namespace RealtimeAspire.ConnectionService.Connections;

/// <summary>Answers one client frame. Bad input becomes an error frame; nothing here closes the connection by itself.</summary>
public sealed partial class FrameHandler(
    ClientFrameParser parser,
    ConnectionAuthenticator authenticator,
    RoomService rooms,
    MessageSender messages,
    MessageEventSender messageEvents,
    TimeProvider time,
    RealtimeMetrics metrics,
    ILogger<FrameHandler> logger)
{
    /// <summary>Answers one text frame of a WebSocket.</summary>
    public Task HandleAsync(RealtimeConnection connection, ReadOnlyMemory<byte> json, long arrivedAt, CancellationToken cancellationToken) =>
        HandleAsync(connection, parser.Parse(json.Span), arrivedAt, cancellationToken);

    /// <summary>Answers a frame built from typed arguments (a SignalR hub call), checked by the same rules as a parsed one.</summary>
    public Task HandleAsync(RealtimeConnection connection, ClientFrame frame, long arrivedAt, CancellationToken cancellationToken) =>
        HandleAsync(connection, parser.Check(frame), arrivedAt, cancellationToken);

    private async Task HandleAsync(RealtimeConnection connection, ParseResult parsed, long arrivedAt, CancellationToken cancellationToken)
    {
        if (parsed.Frame is not { } frame)
        {
            metrics.Rejected(parsed.ErrorCode!);
            connection.TryAnswer(Frames.Error(parsed.ErrorCode!, parsed.ErrorMessage!, parsed.Id));
            return;
        }

        using var roomScope = frame.Room is null ? null : logger.BeginScope(new RoomLogScope(frame.Room));
        try
        {
            await DispatchAsync(connection, frame, arrivedAt, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, frame.Type, e);
            metrics.Rejected(ErrorCodes.Unavailable);
            connection.TryAnswer(Frames.Error(ErrorCodes.Unavailable, "The server could not do this now; try again.", frame.Id, 1_000));
        }
    }

    private async Task DispatchAsync(RealtimeConnection connection, ClientFrame frame, long arrivedAt, CancellationToken cancellationToken)
    {
        switch (frame.Type)
        {
            case ClientFrameType.Ping:
                connection.TryAnswer(Frames.Pong(time.GetUtcNow()));
                return;
            case ClientFrameType.Auth:
                await authenticator.AuthenticateAsync(connection, frame.Token!, cancellationToken);
                return;
        }

        if (connection.User is not { } user)
        {
            metrics.Rejected(ErrorCodes.NotAuthenticated);
            connection.TryAnswer(Frames.Error(ErrorCodes.NotAuthenticated, "Authenticate first.", frame.Id));
            return;
        }

        switch (frame.Type)
        {
            case ClientFrameType.Join:
                await rooms.JoinAsync(connection, user, frame.Room!, frame.Since, cancellationToken);
                break;
            case ClientFrameType.Leave:
                await rooms.LeaveAsync(connection, user, frame.Room!, frame.Forget, cancellationToken);
                break;
            case ClientFrameType.Read:
                await rooms.ReadAsync(connection, user, frame.Room!, frame.Seq!.Value, cancellationToken);
                break;
            case ClientFrameType.Message:
                await messages.SendAsync(connection, user, frame, arrivedAt, cancellationToken);
                break;
            case ClientFrameType.Edit or ClientFrameType.Delete or ClientFrameType.React or ClientFrameType.Unreact:
                await messageEvents.SendAsync(connection, user, frame, cancellationToken);
                break;
            case ClientFrameType.Typing:
                await rooms.TypingAsync(connection, user, frame.Room!);
                break;
            case ClientFrameType.Presence:
                await rooms.PresenceAsync(connection, frame.Room!);
                break;
        }
    }

    [LoggerMessage(LogLevel.Warning, "Handling a {FrameType} frame failed")]
    private static partial void LogFailed(ILogger logger, ClientFrameType frameType, Exception exception);
}
