using RealtimeAspire.ConnectionService.Connections;
using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.Contracts;
using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.ConnectionService.Rooms;

/// <summary>
/// One connection's place in one room. Live events are held back while the join is answered (and missed messages
/// are replayed), then released in order: messages up to the join's seq are dropped, so none arrives twice.
/// </summary>
public sealed class RoomMembership(RealtimeConnection connection, string room, int maxHeldBack)
{
    private readonly Lock _gate = new();
    private List<RoomEvent>? _heldBack = [];
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

    /// <summary>Delivers a live room event (a message only when its seq is new to this connection).</summary>
    public void Deliver(RoomEvent roomEvent)
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
                    _heldBack.Add(roomEvent);
                }
                else
                {
                    Connection.RequestClose(CloseCodes.PolicyViolation, "slow consumer", discardPending: true);
                }

                return;
            }

            Send(roomEvent);
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
            foreach (var roomEvent in heldBack)
            {
                if (!_detached)
                {
                    Send(roomEvent);
                }
            }
        }
    }

    private void Send(RoomEvent roomEvent)
    {
        // The user's own arrival is announced to the others, not back to itself, even when Redis delivers it only
        // after the join was answered (a busy server).
        if (roomEvent.Type == FrameTypes.UserJoined && roomEvent.UserId == Connection.User?.UserId)
        {
            return;
        }

        if (roomEvent.Seq == 0 || roomEvent.Seq > _deliveredUpTo)
        {
            _deliveredUpTo = Math.Max(_deliveredUpTo, roomEvent.Seq);
            Connection.TrySend(roomEvent.Frame);
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
