using RealtimeAspire.ConnectionService.Connections;

namespace RealtimeAspire.ConnectionService.Rooms;

/// <summary>
/// One connection's place in one room. Live events are held back while the join is answered (and missed messages
/// are replayed), then released in order: messages up to the join's seq are dropped, so none arrives twice.
/// </summary>
public sealed class RoomMembership(RealtimeConnection connection, string room, int maxHeldBack)
{
    private readonly Lock _gate = new();
    private List<(ReadOnlyMemory<byte> Frame, long Seq)>? _heldBack = [];
    private long _deliveredUpTo;
    private bool _detached;

    public RealtimeConnection Connection { get; } = connection;

    public string Room { get; } = room;

    public bool IsDetached
    {
        get
        {
            lock (_gate)
            {
                return _detached;
            }
        }
    }

    /// <summary>Delivers a live room event. <paramref name="seq"/> is the message's seq, or 0 for other events.</summary>
    public void Deliver(ReadOnlyMemory<byte> frame, long seq)
    {
        lock (_gate)
        {
            if (_detached)
            {
                return;
            }

            if (_heldBack is not null)
            {
                if (_heldBack.Count < maxHeldBack)
                {
                    _heldBack.Add((frame, seq));
                }
                else
                {
                    Connection.RequestClose(Protocol.CloseCodes.PolicyViolation, "slow consumer", discardPending: true);
                }

                return;
            }

            if (seq == 0 || seq > _deliveredUpTo)
            {
                _deliveredUpTo = Math.Max(_deliveredUpTo, seq);
                Connection.TrySend(frame);
            }
        }
    }

    /// <summary>Ends the hold-back: events held so far go out, messages only when their seq is past <paramref name="deliveredUpTo"/>.</summary>
    public void GoLive(long deliveredUpTo)
    {
        lock (_gate)
        {
            _deliveredUpTo = deliveredUpTo;
            var heldBack = _heldBack ?? [];
            _heldBack = null;
            foreach (var (frame, seq) in heldBack)
            {
                if (_detached)
                {
                    return;
                }

                if (seq == 0 || seq > _deliveredUpTo)
                {
                    _deliveredUpTo = Math.Max(_deliveredUpTo, seq);
                    Connection.TrySend(frame);
                }
            }
        }
    }

    /// <summary>No event reaches the connection through this membership any more (checked under the same lock as delivery).</summary>
    public bool Detach()
    {
        lock (_gate)
        {
            var wasAttached = !_detached;
            _detached = true;
            _heldBack = null;
            return wasAttached;
        }
    }
}
