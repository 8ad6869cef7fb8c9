namespace RealtimeAspire.MessageService.Webhooks;

/// <summary>
/// Webhook delivery (protocol.md §6), section <c>ServerApi:Webhooks</c>: the AppHost passes its own
/// <c>ServerApi:Webhooks:*</c> on to this service as the same keys.
/// </summary>
public sealed class WebhookOptions
{
    public const string SectionName = "ServerApi:Webhooks";

    /// <summary>Allows endpoint URLs that resolve to loopback, private, link-local or multicast addresses.</summary>
    public bool AllowPrivateAddresses { get; set; }

    /// <summary>How long a failing delivery is retried, from the event's creation, before it is kept as failed.</summary>
    public TimeSpan RetryWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The wait after the first failed attempt; each further failure doubles it up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A 2xx answer within this time delivers an event.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a worker owns a delivery it claimed; a worker that dies mid-attempt leaves it to another after this.
    /// Longer than <see cref="AttemptTimeout"/>, so a live attempt is never taken over.
    /// </summary>
    public TimeSpan LeaseTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often an idle worker looks for due deliveries.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>At most this many deliveries (each the head of its room's queue at one endpoint) are attempted at once.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>How many endpoints one application may register.</summary>
    public int MaxEndpoints { get; set; } = 100;
}
