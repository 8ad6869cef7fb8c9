using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RealtimeAspire.MessageService.Persistence;

/// <summary>The persistence pipeline's telemetry: how far storage lags behind, and how batches go.</summary>
public sealed class PersistenceMetrics
{
    public const string MeterName = "RealtimeAspire.MessageService";

    public static readonly ActivitySource ActivitySource = new(MeterName);

    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _storeDuration;
    private readonly Counter<long> _stored;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _claimed;

    private long _backlog;
    private double _oldestAgeSeconds;

    public PersistenceMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);

        meter.CreateObservableGauge("messages.persistence.backlog", () => Volatile.Read(ref _backlog),
            unit: "{entry}", description: "Hand-off entries not yet stored in PostgreSQL");
        meter.CreateObservableGauge("messages.persistence.backlog.oldest_age", () => Volatile.Read(ref _oldestAgeSeconds),
            unit: "s", description: "Age of the oldest hand-off entry not yet stored");

        _batchSize = meter.CreateHistogram("messages.persistence.batch.size", unit: "{message}",
            description: "Messages per stored batch",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 1600] });
        _storeDuration = meter.CreateHistogram("messages.persistence.store.duration", unit: "ms",
            description: "Time to store one batch in PostgreSQL and acknowledge it in Redis",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000] });
        _stored = meter.CreateCounter<long>("messages.persistence.stored", unit: "{message}",
            description: "Messages newly stored");
        _duplicates = meter.CreateCounter<long>("messages.persistence.duplicates", unit: "{message}",
            description: "Hand-off entries whose message was already stored (redelivery)");
        _rejected = meter.CreateCounter<long>("messages.persistence.rejected", unit: "{entry}",
            description: "Malformed hand-off entries that were dropped");
        _claimed = meter.CreateCounter<long>("messages.persistence.claimed", unit: "{entry}",
            description: "Entries taken over from a consumer presumed dead");
    }

    public void BatchStored(int batchSize, int newlyStored, TimeSpan elapsed)
    {
        _batchSize.Record(batchSize);
        _storeDuration.Record(elapsed.TotalMilliseconds);
        _stored.Add(newlyStored);
        _duplicates.Add(batchSize - newlyStored);
    }

    public void Rejected(int count) => _rejected.Add(count);

    public void Claimed(int count) => _claimed.Add(count);

    public void Backlog(long entries, TimeSpan oldestAge)
    {
        Volatile.Write(ref _backlog, entries);
        Volatile.Write(ref _oldestAgeSeconds, oldestAge.TotalSeconds);
    }
}
