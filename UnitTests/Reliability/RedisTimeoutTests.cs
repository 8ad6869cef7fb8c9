using System.Diagnostics.Metrics;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using RealtimeAspire.ConnectionService;
using RealtimeAspire.ConnectionService.Rooms;
using StackExchange.Redis;

namespace RealtimeAspire.Tests.Reliability;

/// <summary>
/// StackExchange.Redis reports a command that waited too long for a connection with <see cref="RedisTimeoutException"/>,
/// which is no <see cref="RedisException"/>. A background service that talks to Redis periodically must survive it:
/// during a Redis restart ReplicaTelemetry's probe stopped a whole ConnectionService replica.
/// </summary>
public sealed class RedisTimeoutTests
{
    [Fact]
    public async Task The_replicas_Redis_probe_keeps_running_through_Redis_timeouts()
    {
        var redis = RedisOutage.Create();
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var options = new RealtimeOptions();
        var metrics = new RealtimeMetrics(services.GetRequiredService<IMeterFactory>(), options);
        var topology = new ConnectionService.Redis.RedisTopology(redis);
        var appender = new ConnectionService.Redis.MessageAppender(redis, topology, null!, null!, null!, options, TimeProvider.System);
        var rooms = new RoomFanout(redis, topology, appender, metrics, TimeProvider.System, NullLogger<RoomFanout>.Instance);

        using var telemetry = new ReplicaTelemetry(redis, rooms, metrics);

        await AssertKeepsRunningAsync(telemetry);
    }

    private static async Task AssertKeepsRunningAsync(BackgroundService service)
    {
        await service.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(TimeSpan.FromMilliseconds(300)); // the first probe runs at once

        Assert.False(service.ExecuteTask!.IsCompleted, service.ExecuteTask.Exception?.ToString());
        await service.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>A Redis connection whose every command times out; events can be subscribed.</summary>
    public class RedisOutage : DispatchProxy
    {
        public static IConnectionMultiplexer Create() => Create<IConnectionMultiplexer, RedisOutage>();

        protected override object? Invoke(MethodInfo? method, object?[]? args) => method?.Name switch
        {
            nameof(IConnectionMultiplexer.GetDatabase) => Create<IDatabase, RedisOutage>(),
            { } name when name.StartsWith("add_", StringComparison.Ordinal) || name.StartsWith("remove_", StringComparison.Ordinal) => null,
            _ => throw new RedisTimeoutException("Timeout awaiting response (test: Redis is away)", CommandStatus.WaitingToBeSent),
        };
    }
}
