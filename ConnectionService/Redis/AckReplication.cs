using System.Diagnostics;
using System.Diagnostics.Metrics;
using StackExchange.Redis;

namespace RealtimeAspire.ConnectionService.Redis;

/// <summary>
/// Holds an ack back until Redis replicas have the message: <c>WAIT</c> on the connection that ran the hand-off, whose
/// last write it waits for. The hand-offs and their waits go on a connection of their own, because a waiting client
/// blocks every later command on its connection, and the shared one carries presence, limits and reads.
/// </summary>
public sealed partial class AckReplication : IAsyncDisposable
{
    private readonly RealtimeOptions _options;
    private readonly ILogger<AckReplication> _logger;
    private readonly RedisTopology _topology;
    private readonly Lazy<Task<ConnectionMultiplexer>> _connection;
    private readonly Histogram<double> _waits;
    private readonly Counter<long> _timeouts;
    private readonly KeyValuePair<string, object?> _replica;

    public AckReplication(IConfiguration configuration, RedisTopology topology, RealtimeOptions options, IMeterFactory meterFactory, ILogger<AckReplication> logger)
    {
        _options = options;
        _logger = logger;
        _topology = topology;
        _replica = new("replica", options.ReplicaId);
        _connection = new(() => ConnectAsync(configuration.GetConnectionString("redis")
            ?? throw new InvalidOperationException("ConnectionStrings:redis is not set.")));
        var meter = meterFactory.Create(RealtimeMetrics.MeterName);
        _waits = meter.CreateHistogram("realtime.redis.ack_wait", unit: "ms",
            description: "How long an ack waited for Redis replicas to confirm the hand-off (WAIT)",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RealtimeMetrics.LatencyBuckets });
        _timeouts = meter.CreateCounter<long>("realtime.redis.ack_wait_timeouts", unit: "{message}",
            description: "Hand-offs that fewer replicas than required confirmed in time; the sender was answered unavailable");
    }

    /// <summary>Replicas an ack waits for: the configured number, else 1 on a Redis Cluster and 0 on a single server.</summary>
    public int Replicas => _options.Redis.AckReplicas ?? (_topology.IsCluster ? 1 : 0);

    public bool Enabled => Replicas > 0;

    /// <summary>The database the hand-off runs on, so that <see cref="WaitAsync"/> waits for its write.</summary>
    public async Task<IDatabase> DatabaseAsync() => (await _connection.Value).GetDatabase();

    /// <summary>
    /// Waits until <see cref="Replicas"/> replicas of the master that owns <paramref name="key"/> have everything this
    /// connection wrote there; false when they did not within the timeout.
    /// </summary>
    public async Task<bool> WaitAsync(RedisKey key)
    {
        var server = (await _connection.Value).GetServer(key);
        var started = Stopwatch.GetTimestamp();
        var confirmed = (long)await server.ExecuteAsync("WAIT", Replicas, _options.Redis.AckTimeoutMs);
        _waits.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, _replica);
        if (confirmed >= Replicas)
        {
            return true;
        }

        _timeouts.Add(1, _replica);
        LogNotReplicated(_logger, server.EndPoint.ToString() ?? "", confirmed, Replicas, _options.Redis.AckTimeoutMs);
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection.IsValueCreated && _connection.Value.IsCompletedSuccessfully)
        {
            await (await _connection.Value).DisposeAsync();
        }
    }

    private async Task<ConnectionMultiplexer> ConnectAsync(string connectionString)
    {
        var configuration = ConfigurationOptions.Parse(connectionString);
        // Like the shared connection: keep trying while Redis is away rather than fail the first hand-off for good.
        configuration.AbortOnConnectFail = false;
        configuration.ClientName = $"{_options.ReplicaId}-acks";
        return await ConnectionMultiplexer.ConnectAsync(configuration);
    }

    [LoggerMessage(LogLevel.Warning, "Redis {Master} confirmed a hand-off on {Confirmed} of {Required} replicas within {TimeoutMs} ms; the sender is answered unavailable")]
    private static partial void LogNotReplicated(ILogger logger, string master, long confirmed, int required, int timeoutMs);
}
