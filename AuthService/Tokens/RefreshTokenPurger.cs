using Microsoft.Extensions.Options;
using RealtimeAspire.AuthService.Data;

namespace RealtimeAspire.AuthService.Tokens;

/// <summary>Every <see cref="AuthOptions.RefreshTokenPurgeInterval"/>, deletes the refresh tokens nobody can use any more.</summary>
public sealed partial class RefreshTokenPurger(
    IServiceScopeFactory scopeFactory,
    AuthDatabaseInitializer database,
    IOptions<AuthOptions> options,
    TimeProvider timeProvider,
    ILogger<RefreshTokenPurger> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RefreshTokenPurgeInterval, timeProvider);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!database.IsReady)
            {
                continue;
            }

            try
            {
                await using var scope = scopeFactory.CreateAsyncScope();
                var purged = await scope.ServiceProvider.GetRequiredService<RefreshTokenStore>().PurgeAsync(stoppingToken);
                LogPurged(logger, purged);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // authdb may be restarting; the next tick tries again.
                LogPurgeFailed(logger, e);
            }
        }
    }

    [LoggerMessage(LogLevel.Information, "Deleted {Count} long-expired refresh tokens")]
    private static partial void LogPurged(ILogger logger, int count);

    [LoggerMessage(LogLevel.Warning, "Deleting long-expired refresh tokens failed")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception);
}
