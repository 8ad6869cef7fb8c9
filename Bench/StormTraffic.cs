using System.Diagnostics;
using System.Globalization;
using RealtimeAspire.Client;

namespace RealtimeAspire.Bench;

/// <summary>
/// The storm's traffic: publishers send <c>rate</c> msg/s in total (open loop) into their rooms, content
/// "&lt;number&gt; &lt;send time ms&gt; padding"; every acked message must then reach every member of its room once.
/// </summary>
internal sealed class StormTraffic(IReadOnlyList<StormClient> clients, int rooms, double rate, string padding)
{
    private readonly List<(int Room, long Seq)> _acked = [];
    private readonly List<Task> _sends = [];
    private int _ackFailures;
    private int _sent;

    public async Task RunAsync(IReadOnlyList<int> publishers, CancellationToken cancellationToken)
    {
        if (publishers.Count == 0 || rate <= 0)
        {
            return;
        }

        var clock = Stopwatch.StartNew();
        try
        {
            for (var n = 0; !cancellationToken.IsCancellationRequested; n++)
            {
                var due = TimeSpan.FromSeconds(n / rate);
                if (due > clock.Elapsed)
                {
                    await Task.Delay(due - clock.Elapsed, cancellationToken);
                }

                var publisher = clients[publishers[n % publishers.Count]];
                var content = string.Create(CultureInfo.InvariantCulture, $"{n} {StormClient.NowMs():F3} {padding}");
                // Not cancelled with the traffic: a send in flight when the traffic stops is still awaited to its ack.
                _sends.Add(AcknowledgeAsync(publisher.Room, publisher.Client!.SendAsync(BenchConnections.Room(publisher.Room), content)));
                _sent++;
            }
        }
        catch (OperationCanceledException)
        {
            // The traffic stopped.
        }

        await Task.WhenAll(_sends);
    }

    /// <summary>Waits (at most <paramref name="timeout"/>) until every acked message reached every member of its room, then counts.</summary>
    public async Task<StormDelivery> SettleAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var members = new List<StormClient>[rooms];
        for (var r = 0; r < rooms; r++)
        {
            members[r] = [];
        }

        foreach (var client in clients.Where(c => c.Client is not null))
        {
            members[client.Room].Add(client);
        }

        var byRoom = _acked.GroupBy(a => a.Room).ToDictionary(g => g.Key, g => (IReadOnlySet<long>)g.Select(a => a.Seq).ToHashSet());
        var expected = byRoom.Sum(r => (long)r.Value.Count * members[r.Key].Count);
        long Delivered() => byRoom.Sum(r => members[r.Key].Sum(m => (long)m.CountSeqs(r.Value)));

        var clock = Stopwatch.StartNew();
        var delivered = Delivered();
        while (delivered < expected && clock.Elapsed < timeout)
        {
            await Task.Delay(200, cancellationToken);
            delivered = Delivered();
        }

        var duplicateSeqs = clients.Sum(c => c.DuplicateSeqs);
        var duplicateMessages = clients.Sum(c => c.DuplicateMessages);
        return new StormDelivery(_sent, _acked.Count, _ackFailures, expected, delivered, expected - delivered,
            duplicateSeqs + duplicateMessages, duplicateSeqs, duplicateMessages);
    }

    private async Task AcknowledgeAsync(int room, Task<MessageAck> send)
    {
        try
        {
            var ack = await send;
            lock (_acked)
            {
                _acked.Add((room, ack.Seq));
            }
        }
        catch (Exception e) when (e is RealtimeErrorException or TimeoutException or IOException or RealtimeClosedException)
        {
            Interlocked.Increment(ref _ackFailures);
        }
    }
}

/// <summary>
/// Sent, acked, and deliveries of acked messages to the members of their rooms: expected = acked × members,
/// missed = expected − delivered; duplicated = the same seq twice or the same message under two seqs.
/// </summary>
internal sealed record StormDelivery(
    int Sent, int Acked, int AckFailures, long Expected, long Delivered, long Missed, int Duplicated, int DuplicatedSeq, int DuplicatedMessage);
