using RealtimeAspire.Contracts;

namespace RealtimeAspire.ConnectionService.Connections;

/// <summary>
/// Closes every live connection of a user the moment the JWT path learns the user is blocked (protocol.md §6): each
/// replica does it for its own connections, WebSocket and SignalR alike, with 4403.
/// </summary>
public sealed partial class BlockedUserCloser(
    RevokedSubjects revoked,
    ConnectionRegistry connections,
    ILogger<BlockedUserCloser> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        revoked.Revoked += Close;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        revoked.Revoked -= Close;
        return Task.CompletedTask;
    }

    private void Close(string subject)
    {
        var closing = connections.OfUser(subject);
        foreach (var connection in closing)
        {
            connection.RequestClose(CloseCodes.Blocked, "blocked");
        }

        if (closing.Length > 0)
        {
            LogClosed(logger, subject, closing.Length);
        }
    }

    [LoggerMessage(LogLevel.Information, "User {BlockedUserId} is blocked: {Count} connections closed with 4403")]
    private static partial void LogClosed(ILogger logger, string blockedUserId, int count);
}
