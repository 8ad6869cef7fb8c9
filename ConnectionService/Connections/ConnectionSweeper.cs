using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.ConnectionService.Redis;
using RealtimeAspire.ConnectionService.Rooms;
using RealtimeAspire.Contracts;
using StackExchange.Redis;

namespace RealtimeAspire.ConnectionService.Connections;

/// <summary>
/// One loop for all connections instead of timers per connection: closes those that did not authenticate in time
/// (4408) or whose token expired without a refresh (4401), and renews this replica's leases in Redis.
/// </summary>
public sealed partial class ConnectionSweeper(
    ConnectionRegistry connections,
    RoomFanout rooms,
    PresenceStore presence,
    UserLimits limits,
    IConnectionMultiplexer redis,
    RealtimeOptions options,
    TimeProvider time,
    ILogger<ConnectionSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(options.AuthTimeoutMs / 10, 50, 500));
        using var timer = new PeriodicTimer(tick, time);
        var nextRefresh = time.GetUtcNow();
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = time.GetUtcNow();
            CloseOverdue(now);
            if (now >= nextRefresh)
            {
                nextRefresh = now.AddMilliseconds(options.LeaseRefreshMs);
                try
                {
                    await RefreshLeasesAsync();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogRefreshFailed(logger, e);
                }
            }
        }
    }

    private void CloseOverdue(DateTimeOffset now)
    {
        var authDeadline = now.AddMilliseconds(-options.AuthTimeoutMs);
        foreach (var connection in connections.All)
        {
            if (connection.IsClosing)
            {
                continue;
            }

            if (connection.User is not { } user)
            {
                if (connection.ConnectedAt <= authDeadline)
                {
                    connection.RequestClose(CloseCodes.AuthenticationTimeout, "authentication timeout");
                }
            }
            else if (user.ExpiresAt <= now)
            {
                connection.RequestClose(CloseCodes.AuthenticationFailed, "token expired");
            }
        }
    }

    private async Task RefreshLeasesAsync()
    {
        var batch = redis.GetDatabase().CreateBatch();
        var pending = new List<Task>();
        foreach (var connection in connections.All)
        {
            if (connection.User is { } user && !connection.IsClosing)
            {
                pending.Add(limits.RefreshConnectionAsync(batch, user.UserId, UserLimits.ConnectionMember(connection.Id, connection.ConnectedAt)));
            }
        }

        foreach (var room in rooms.RoomIds())
        {
            var byUser = rooms.Members(room)
                .Where(member => !member.IsDetached && member.Connection.User is not null)
                .GroupBy(member => member.Connection.User!.UserId);
            foreach (var group in byUser)
            {
                var user = group.First().Connection.User!;
                pending.Add(presence.RefreshAsync(batch, room, user.UserId, user.Username, group.Select(member => member.Connection.Id)));
            }

            pending.Add(presence.ReapAsync(batch, room));
        }

        batch.Execute();
        await Task.WhenAll(pending);
    }

    [LoggerMessage(LogLevel.Warning, "Renewing this replica's leases failed")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
