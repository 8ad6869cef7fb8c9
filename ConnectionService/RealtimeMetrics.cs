using System.Diagnostics;
using System.Diagnostics.Metrics;
using RealtimeAspire.Contracts;

namespace RealtimeAspire.ConnectionService;

/// <summary>
/// The replica's metrics, exported over OTLP and on /metrics. Every measurement carries a <c>replica</c> tag:
/// Prometheus puts resource attributes only in target_info, and an operator compares replicas by this label.
/// </summary>
public sealed class RealtimeMetrics
{
    public const string MeterName = "RealtimeAspire.ConnectionService";

    public static readonly ActivitySource ActivitySource = new(MeterName);

    // Sub-millisecond buckets: a hand-off to a local Redis takes a fraction of a millisecond.
    public static readonly double[] LatencyBuckets = [0.05, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500];

    private readonly KeyValuePair<string, object?> _replica;
    private readonly Counter<long> _connectionsTotal;
    private readonly UpDownCounter<long> _connectionsActive;
    private readonly Histogram<double> _messageLatency;
    private readonly Counter<long> _published;
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _closed;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _slowConsumers;
    private readonly Histogram<double> _fanoutDelay;
    private readonly Histogram<double> _redisRoundTrip;
    private readonly Histogram<double> _publishHookDuration;
    private readonly Counter<long> _publishHookCalls;
    private Func<int> _localRooms = () => 0;

    public RealtimeMetrics(IMeterFactory meterFactory, RealtimeOptions options)
    {
        _replica = new("replica", options.ReplicaId);
        var meter = meterFactory.Create(MeterName);
        // No units on the protocol's names: the exporter would append them to names the protocol fixes.
        _connectionsTotal = meter.CreateCounter<long>("websocket_connections_total",
            description: "WebSocket connections accepted since start");
        _connectionsActive = meter.CreateUpDownCounter<long>("websocket_connections_active",
            description: "WebSocket connections open now");
        _messageLatency = meter.CreateHistogram("websocket_message_latency_ms", unit: null,
            description: "Milliseconds from a message's arrival at the replica to its completed hand-off to Redis",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

        _published = meter.CreateCounter<long>("realtime.messages.published", unit: "{message}",
            description: "Messages handed off to Redis (stored and published to the room)");
        _delivered = meter.CreateCounter<long>("realtime.messages.delivered", unit: "{message}",
            description: "Live messages queued to a local member of the room");
        _rejected = meter.CreateCounter<long>("realtime.frames.rejected", unit: "{frame}",
            description: "Client frames answered with an error frame, by error code");
        _closed = meter.CreateCounter<long>("realtime.connections.closed", unit: "{connection}",
            description: "Connections closed, by the close code the server used");
        _rateLimited = meter.CreateCounter<long>("realtime.messages.rate_limited", unit: "{message}",
            description: "Messages refused by the per-user rate limit");
        _slowConsumers = meter.CreateCounter<long>("realtime.connections.slow_consumer", unit: "{connection}",
            description: "Connections closed because they did not read fast enough");
        _fanoutDelay = meter.CreateHistogram("realtime.fanout.delay", unit: "ms",
            description: "From the message's timestamp (set at publish) to its delivery to local members",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _redisRoundTrip = meter.CreateHistogram("realtime.redis.round_trip", unit: "ms",
            description: "Round trip of a PING to Redis",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _publishHookDuration = meter.CreateHistogram("realtime.publish_hook.duration", unit: "ms",
            description: "How long a user's message waited for the publish hook's answer (or its timeout), by outcome",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _publishHookCalls = meter.CreateCounter<long>("realtime.publish_hook.calls", unit: "{call}",
            description: "Publish hook calls, by outcome: accept, reject, replace, timeout, error");
        meter.CreateObservableGauge("realtime.rooms.local", () => new Measurement<int>(_localRooms(), _replica),
            unit: "{room}", description: "Rooms with at least one member on this replica");
    }

    public void ObserveLocalRooms(Func<int> count) => _localRooms = count;

    public void Connected()
    {
        _connectionsTotal.Add(1, _replica);
        _connectionsActive.Add(1, _replica);
    }

    public void Disconnected(int closeCode, string closeReason)
    {
        _connectionsActive.Add(-1, _replica);
        _closed.Add(1, _replica, new("close_code", closeCode));
        if (closeReason == SlowConsumerReason)
        {
            _slowConsumers.Add(1, _replica);
        }
    }

    public const string SlowConsumerReason = "slow consumer";

    /// <param name="published">False for the resend of a message already acked (nothing new was published).</param>
    public void MessageHandedOff(TimeSpan elapsed, bool published)
    {
        _messageLatency.Record(elapsed.TotalMilliseconds, _replica);
        if (published)
        {
            _published.Add(1, _replica);
        }
    }

    public void Rejected(string errorCode)
    {
        _rejected.Add(1, _replica, new("code", errorCode));
        if (errorCode == ErrorCodes.RateLimited)
        {
            _rateLimited.Add(1, _replica);
        }
    }

    public void Delivered(int members, TimeSpan sincePublished)
    {
        _delivered.Add(members, _replica);
        _fanoutDelay.Record(Math.Max(0, sincePublished.TotalMilliseconds), _replica);
    }

    public void PublishHookCalled(TimeSpan elapsed, string outcome)
    {
        var tag = new KeyValuePair<string, object?>("outcome", outcome);
        _publishHookDuration.Record(elapsed.TotalMilliseconds, _replica, tag);
        _publishHookCalls.Add(1, _replica, tag);
    }

    public void RedisRoundTrip(TimeSpan elapsed) => _redisRoundTrip.Record(elapsed.TotalMilliseconds, _replica);
}
