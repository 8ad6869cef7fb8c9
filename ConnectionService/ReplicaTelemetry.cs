using System.Diagnostics;
using RealtimeAspire.ConnectionService.Rooms;
using StackExchange.Redis;

namespace RealtimeAspire.ConnectionService;

/// <summary>The measurements taken by looking rather than counting: local rooms, and Redis's round trip every few seconds.</summary>
public sealed class ReplicaTelemetry(IConnectionMultiplexer redis, RoomFanout rooms, RealtimeMetrics metrics) : BackgroundService
{
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        metrics.ObserveLocalRooms(() => rooms.Count);
        using var timer = new PeriodicTimer(ProbeInterval);
        try
        {
            do
            {
                await ProbeRedisAsync();
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ProbeRedisAsync()
    {
        try
        {
            var started = Stopwatch.GetTimestamp();
            await redis.GetDatabase().PingAsync();
            metrics.RedisRoundTrip(Stopwatch.GetElapsedTime(started));
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            // Redis being down shows in health checks and in the missing samples; nothing to record here. A timeout
            // is not a RedisException: uncaught, it stopped the whole replica during a Redis restart.
        }
    }
}
