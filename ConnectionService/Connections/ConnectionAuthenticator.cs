using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.ConnectionService.Redis;
using RealtimeAspire.Contracts;
using RealtimeAspire.Contracts.Frames;
using StackExchange.Redis;

namespace RealtimeAspire.ConnectionService.Connections;

/// <summary>
/// Authenticates a connection (upgrade header, query string or <c>auth</c> frame), refreshes its token on a later
/// <c>auth</c>, and enforces the per-user connection limit across replicas.
/// </summary>
public sealed partial class ConnectionAuthenticator(
    IAccessTokenValidator validator,
    ConnectionRegistry registry,
    UserLimits limits,
    IConnectionMultiplexer redis,
    ILogger<ConnectionAuthenticator> logger)
{
    public async Task AuthenticateAsync(RealtimeConnection connection, string token, CancellationToken cancellationToken)
    {
        var validation = await validator.ValidateAsync(token, cancellationToken);
        var userId = validation.Principal?.FindFirst(AccessTokenClaims.UserId)?.Value;
        var username = validation.Principal?.FindFirst(AccessTokenClaims.Username)?.Value;
        if (validation.IsRevoked)
        {
            Fail(connection, validation.Error!, CloseCodes.Blocked);
            return;
        }

        if (!validation.IsValid || string.IsNullOrEmpty(userId) || string.IsNullOrEmpty(username))
        {
            Fail(connection, validation.Error ?? "The token names no user.");
            return;
        }

        if (ServerClients.IsClient(userId))
        {
            Fail(connection, "A server client's token cannot open a connection.");
            return;
        }

        var user = new ConnectionUser(userId, username, token, validation.ExpiresAt);
        var current = connection.User;
        if (current is not null && current.UserId != userId)
        {
            Fail(connection, "The token belongs to another user.");
            return;
        }

        connection.User = user;
        connection.TrySend(Frames.AuthSuccess(userId, username, connection.Id));
        if (current is not null)
        {
            LogRefreshed(logger, user.ExpiresAt);
            return;
        }

        LogAuthenticated(logger, userId);
        await registry.AddUserConnectionAsync(userId, connection);
        var evicted = await limits.AddConnectionAsync(userId, username, UserLimits.ConnectionMember(connection.Id, connection.ConnectedAt));
        foreach (var connectionId in evicted)
        {
            // The oldest connection may live on any replica: the order goes to all of them.
            var order = new ControlOrder(ControlOrder.Close, ConnectionId: connectionId, Code: CloseCodes.Replaced, Reason: "replaced by a newer connection");
            await redis.GetSubscriber().PublishAsync(RedisKeys.ControlChannel,
                FrameCodec.EncodeToString(order));
        }
    }

    private void Fail(RealtimeConnection connection, string message, int code = CloseCodes.AuthenticationFailed)
    {
        LogFailed(logger, message);
        connection.TrySend(Frames.AuthFailed(message));
        connection.RequestClose(code, code == CloseCodes.Blocked ? "blocked" : "authentication failed");
    }

    [LoggerMessage(LogLevel.Debug, "Connection authenticated as user {AuthenticatedUserId}")]
    private static partial void LogAuthenticated(ILogger logger, string authenticatedUserId);

    [LoggerMessage(LogLevel.Debug, "Connection token refreshed; it now expires at {ExpiresAt}")]
    private static partial void LogRefreshed(ILogger logger, DateTimeOffset expiresAt);

    [LoggerMessage(LogLevel.Information, "Authentication failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
