namespace RealtimeAspire.MessageService.Persistence;

/// <summary>Tuning of the hand-off consumer (configuration section <c>MessageService:Persistence</c>).</summary>
public sealed class PersistenceOptions
{
    public const string SectionName = "MessageService:Persistence";

    /// <summary>Entries read from each partition per batch; a batch holds at most 16 times this.</summary>
    public int ReadCount { get; set; } = 100;

    /// <summary>
    /// How long to wait before reading the streams again, unless the last read found more than <see cref="ReadCount"/>
    /// waiting in some stream: under load a batch gathers for this long, and persistence lags by at most about this.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>An entry pending this long belongs to a consumer presumed dead, and is taken over.</summary>
    public TimeSpan ClaimIdleTime { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often to look for entries a dead consumer left pending.</summary>
    public TimeSpan ClaimInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A consumer silent this long with nothing pending is removed from the group (a replica restarted).</summary>
    public TimeSpan IdleConsumerTime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the backlog (entries not yet stored) is measured.</summary>
    public TimeSpan BacklogInterval { get; set; } = TimeSpan.FromSeconds(2);
}
