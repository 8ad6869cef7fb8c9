namespace RealtimeAspire.ConnectionService.Redis;

/// <summary>
/// How long an ack waits for Redis replicas to hold the message (section <c>Realtime:Redis</c>; docs/reliability.md,
/// "What an ack promises").
/// </summary>
public sealed class AckReplicationOptions
{
    /// <summary>
    /// Replicas that must confirm the hand-off (Redis <c>WAIT</c>) before the ack; 0 turns the wait off. Unset: 1 on a
    /// Redis Cluster, whose failover promotes a replica, and 0 on a single server, which has none.
    /// </summary>
    public int? AckReplicas { get; set; }

    /// <summary>The longest wait for them; past it the sender is answered <c>unavailable</c> and resends with the same id.</summary>
    public int AckTimeoutMs { get; set; } = 500;
}
