namespace RealtimeAspire.ConnectionService;

/// <summary>The limits and timings of the WebSocket protocol (section <c>Realtime</c>); every one can be changed.</summary>
public sealed class RealtimeOptions
{
    public const string SectionName = "Realtime";

    /// <summary>This replica's name, set by the AppHost; part of every connection id.</summary>
    public string ReplicaId { get; set; } = Environment.MachineName;

    public int HeartbeatIntervalMs { get; set; } = 30_000;

    public int AuthTimeoutMs { get; set; } = 10_000;

    public int MaxFrameBytes { get; set; } = 64 * 1024;

    public int MaxContentLength { get; set; } = 4_000;

    /// <summary>The largest <c>data</c> of one message, in UTF-8 bytes of its JSON as the client sent it.</summary>
    public int MaxDataBytes { get; set; } = Contracts.Frames.StructuredData.DefaultMaxBytes;

    public int RateLimitMessages { get; set; } = 100;

    public int RateLimitWindowMs { get; set; } = 60_000;

    public int MaxConnectionsPerUser { get; set; } = 5;

    /// <summary>Frames waiting to be written to one connection; past it the connection is a slow consumer.</summary>
    public int OutboundQueueCapacity { get; set; } = 1_024;

    /// <summary>How long a closing connection may take to flush and finish the close handshake before it is aborted.</summary>
    public int CloseTimeoutMs { get; set; } = 10_000;

    /// <summary>How long presence and connection-count entries live without a refresh (a dead replica's entries expire).</summary>
    public int LeaseMs { get; set; } = 30_000;

    /// <summary>How often a replica refreshes the leases of its connections and reaps expired presence.</summary>
    public int LeaseRefreshMs { get; set; } = 10_000;

    /// <summary>How long a room access answer from MessageService is reused.</summary>
    public int AccessCacheMs { get; set; } = 5_000;

    /// <summary>Entries kept in a room's recent stream in Redis (approximate).</summary>
    public int RecentMessages { get; set; } = 1_000;

    /// <summary>The largest gap a <c>join</c> with <c>since</c> replays; a larger one answers <c>recovered:false</c>.</summary>
    public int MaxReplayMessages { get; set; } = 10_000;

    /// <summary>How long the ack of a message sent with a client id is remembered for idempotent resend.</summary>
    public int IdempotencyWindowMs { get; set; } = 300_000;

    /// <summary>
    /// Rooms one connection may be in at once (Centrifugo's default channel limit); each costs a Redis
    /// subscription, presence entries and an access check, so a client joining random rooms is stopped here.
    /// </summary>
    public int MaxRoomsPerConnection { get; set; } = 128;

    /// <summary>How long after sending it an author may edit a message (protocol.md §7: 24 h).</summary>
    public long EditWindowMs { get; set; } = 24 * 60 * 60 * 1000;

    /// <summary>Distinct <c>@username</c> mentions of one message that get a notification.</summary>
    public int MaxMentionsPerMessage { get; set; } = 20;

    /// <summary>Whether an ack waits for Redis replicas (<c>Realtime:Redis:AckReplicas</c>, <c>:AckTimeoutMs</c>).</summary>
    public Redis.AckReplicationOptions Redis { get; set; } = new();

    public TimeSpan HeartbeatInterval => TimeSpan.FromMilliseconds(HeartbeatIntervalMs);
}
