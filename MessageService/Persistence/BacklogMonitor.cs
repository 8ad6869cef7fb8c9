using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace RealtimeAspire.MessageService.Persistence;

/// <summary>Measures the persistence lag (entries waiting in the hand-off streams) for the metrics.</summary>
public sealed partial class BacklogMonitor(
    IConnectionMultiplexer redis,
    PersistenceMetrics metrics,
    IOptions<PersistenceOptions> options,
    TimeProvider time,
    ILogger<BacklogMonitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.BacklogInterval, time);
        try
        {
            do
            {
                await MeasureAsync();
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task MeasureAsync()
    {
        try
        {
            var (entries, oldest) = await HandoffStreams.MeasureBacklogAsync(redis.GetDatabase());
            metrics.Backlog(entries, oldest is { } writtenAt ? time.GetUtcNow() - writtenAt : TimeSpan.Zero);
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            // RedisTimeoutException is not a RedisException; uncaught, it would stop the whole service.
            LogMeasureFailed(logger, e);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Measuring the hand-off backlog failed")]
    private static partial void LogMeasureFailed(ILogger logger, Exception exception);
}
