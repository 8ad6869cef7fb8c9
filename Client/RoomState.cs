namespace RealtimeAspire.Client;

/// <summary>What the client remembers of a joined room, to rejoin it with <c>since</c> and to drop duplicates.</summary>
internal sealed class RoomState(long joinedSeq)
{
    private long _joinedSeq = joinedSeq;
    private long _lastSeq = -1;

    /// <summary>The <c>since</c> of a rejoin: the last message seen, else the room's seq when it was joined.</summary>
    public long ResumeFrom => Volatile.Read(ref _lastSeq) is >= 0 and var last ? last : Volatile.Read(ref _joinedSeq);

    public long? LastSeq => Volatile.Read(ref _lastSeq) is >= 0 and var last ? last : null;

    public void Joined(long seq) => Volatile.Write(ref _joinedSeq, seq);

    /// <summary>True for a message not seen yet; seqs only grow, so an older or equal one is a duplicate.</summary>
    public bool Accept(long seq)
    {
        if (seq <= Volatile.Read(ref _lastSeq))
        {
            return false;
        }

        Volatile.Write(ref _lastSeq, seq);
        return true;
    }
}
