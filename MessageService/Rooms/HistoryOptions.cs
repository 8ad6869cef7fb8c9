namespace RealtimeAspire.MessageService.Rooms;

/// <summary>How history reads stay consistent with acks and bounded (configuration section <c>MessageService:History</c>).</summary>
public sealed class HistoryOptions
{
    public const string SectionName = "MessageService:History";

    /// <summary>
    /// The most not-yet-stored messages a read takes from the room's unstored set, and the most entries of the
    /// partition's hand-off stream it looks through when the recent stream lacks some of them; with more waiting,
    /// storage is far behind and history answers 503 until it has caught up.
    /// </summary>
    public int MaxUnstoredEntries { get; set; } = 5000;

    /// <summary>A history read or last-seq that takes longer (PostgreSQL or Redis away or too slow) is answered 503.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The <c>Retry-After</c> of a 503.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);
}
