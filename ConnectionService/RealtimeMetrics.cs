using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RealtimeAspire.ConnectionService;

/// <summary>The metrics the protocol names, exported on /metrics.</summary>
public sealed class RealtimeMetrics
{
    public const string MeterName = "RealtimeAspire.ConnectionService";

    public static readonly ActivitySource ActivitySource = new(MeterName);

    // Sub-millisecond buckets: a hand-off to a local Redis takes a fraction of a millisecond.
    private static readonly double[] LatencyBuckets = [0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500];

    private readonly Counter<long> _connectionsTotal;
    private readonly UpDownCounter<long> _connectionsActive;
    private readonly Histogram<double> _messageLatency;

    public RealtimeMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        // No units: the exporter would append them to names the protocol fixes.
        _connectionsTotal = meter.CreateCounter<long>("websocket_connections_total",
            description: "WebSocket connections accepted since start");
        _connectionsActive = meter.CreateUpDownCounter<long>("websocket_connections_active",
            description: "WebSocket connections open now");
        _messageLatency = meter.CreateHistogram("websocket_message_latency_ms", unit: null,
            description: "Milliseconds from a message's arrival at the replica to its completed hand-off to Redis",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
    }

    public void Connected()
    {
        _connectionsTotal.Add(1);
        _connectionsActive.Add(1);
    }

    public void Disconnected() => _connectionsActive.Add(-1);

    public void MessageHandedOff(TimeSpan elapsed) => _messageLatency.Record(elapsed.TotalMilliseconds);
}
