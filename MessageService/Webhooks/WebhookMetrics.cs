using System.Diagnostics.Metrics;
using RealtimeAspire.MessageService.Persistence;

namespace RealtimeAspire.MessageService.Webhooks;

/// <summary>Webhook delivery telemetry, on the service's one meter (docs/observability.md).</summary>
public sealed class WebhookMetrics
{
    private readonly Counter<long> _attempts;
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _failed;
    private readonly Histogram<double> _latency;
    private readonly Histogram<double> _attemptDuration;

    public WebhookMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(PersistenceMetrics.MeterName);
        _attempts = meter.CreateCounter<long>("webhooks.attempts", unit: "{attempt}",
            description: "Delivery attempts, by outcome (success, http_error, timeout, network_error, refused_address)");
        _delivered = meter.CreateCounter<long>("webhooks.delivered", unit: "{delivery}",
            description: "Events delivered to an endpoint (a 2xx answer)");
        _retries = meter.CreateCounter<long>("webhooks.retries", unit: "{delivery}",
            description: "Failed attempts scheduled to be tried again");
        _failed = meter.CreateCounter<long>("webhooks.failed", unit: "{delivery}",
            description: "Deliveries given up after the retry window, kept as failed");
        _latency = meter.CreateHistogram("webhooks.delivery.latency", unit: "s",
            description: "From the event's creation to its delivery, retries included",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60, 600, 3600, 86400] });
        _attemptDuration = meter.CreateHistogram("webhooks.attempt.duration", unit: "ms",
            description: "One HTTP attempt, until the endpoint's answer or the timeout",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] });
    }

    public void Attempted(string outcome, TimeSpan elapsed)
    {
        _attempts.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        _attemptDuration.Record(elapsed.TotalMilliseconds);
    }

    public void Delivered(TimeSpan sinceCreated)
    {
        _delivered.Add(1);
        _latency.Record(Math.Max(0, sinceCreated.TotalSeconds));
    }

    public void Retrying() => _retries.Add(1);

    public void Failed() => _failed.Add(1);
}
