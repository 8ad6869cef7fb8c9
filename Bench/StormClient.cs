using System.Diagnostics;
using System.Globalization;
using RealtimeAspire.Client;

namespace RealtimeAspire.Bench;

/// <summary>
/// What the storm scenario watches of one client: when it dropped, when it was connected and rejoined again, and
/// which messages (by room seq and by the bench's own message number) it was handed.
/// </summary>
internal sealed class StormClient(int room)
{
    private readonly HashSet<long> _seqs = [];
    private readonly HashSet<long> _numbers = [];
    private double _droppedMs;
    private double _backMs;
    private double _rejoinedMs;
    private int _drops;
    private int _incompleteRejoins;

    public int Room { get; } = room;

    public RealtimeClient? Client { get; private set; }

    public string? ReplicaBeforeDrain { get; private set; }

    public double DroppedMs => Volatile.Read(ref _droppedMs);

    public double BackMs => Volatile.Read(ref _backMs);

    public int Drops => Volatile.Read(ref _drops);

    public bool Closed { get; private set; }

    /// <summary>Rejoins whose <c>joined</c> said <c>recovered: false</c>: the server could not fill the gap since <c>since</c>.</summary>
    public int IncompleteRejoins => Volatile.Read(ref _incompleteRejoins);

    public int ServerErrors;

    /// <summary>The same seq handed twice (the client drops repeats by seq, so this checks the client).</summary>
    public int DuplicateSeqs { get; private set; }

    /// <summary>The same message handed under a second seq: the server stored a resend twice.</summary>
    public int DuplicateMessages { get; private set; }

    public static double NowMs() => Stopwatch.GetTimestamp() * 1000.0 / Stopwatch.Frequency;

    public void Attach(RealtimeClient client)
    {
        client.StateChanged += (_, change) => Changed(change.State);
        client.Rejoined += (_, rejoined) =>
        {
            if (!rejoined.Joined.Recovered)
            {
                Interlocked.Increment(ref _incompleteRejoins);
            }

            Volatile.Write(ref _rejoinedMs, NowMs());
        };
        client.ErrorReceived += (_, _) => Interlocked.Increment(ref ServerErrors);
        client.MessageReceived += (_, message) => Received(message);
    }

    /// <summary>Called once the client is connected and joined (null when it failed to).</summary>
    public void Connected(RealtimeClient? client) => Client = client;

    /// <summary>The replica it is on, from the replica part of its connection id, just before the drain.</summary>
    public void NoteReplica() => ReplicaBeforeDrain = Client?.ConnectionId is { } id && id.IndexOf('.') is > 0 and var dot ? id[..dot] : null;

    /// <summary>Dropped after <paramref name="sinceMs"/>, then connected again with its room rejoined, and still so.</summary>
    public bool IsBackAfter(double sinceMs) =>
        Drops > 0 && DroppedMs >= sinceMs && Client?.State == RealtimeConnectionState.Connected
        && BackMs > DroppedMs && Volatile.Read(ref _rejoinedMs) >= DroppedMs;

    public bool HasSeq(long seq)
    {
        lock (_seqs)
        {
            return _seqs.Contains(seq);
        }
    }

    public int CountSeqs(IReadOnlySet<long> seqs)
    {
        lock (_seqs)
        {
            return _seqs.Count(seqs.Contains);
        }
    }

    private void Changed(RealtimeConnectionState state)
    {
        switch (state)
        {
            case RealtimeConnectionState.Reconnecting:
                if (Interlocked.Increment(ref _drops) == 1)
                {
                    Volatile.Write(ref _droppedMs, NowMs());
                }

                break;
            case RealtimeConnectionState.Connected when Drops > 0:
                Volatile.Write(ref _backMs, NowMs());
                break;
            case RealtimeConnectionState.Closed:
                Closed = true;
                break;
        }
    }

    private void Received(ChatMessage message)
    {
        var number = long.Parse(message.Content!.AsSpan(0, message.Content!.IndexOf(' ')), CultureInfo.InvariantCulture);
        lock (_seqs)
        {
            if (!_seqs.Add(message.Seq))
            {
                DuplicateSeqs++;
            }
            else if (!_numbers.Add(number))
            {
                DuplicateMessages++;
            }
        }
    }
}
