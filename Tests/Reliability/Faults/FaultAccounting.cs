using Microsoft.EntityFrameworkCore;
using RealtimeAspire.MessageService.Data;
using RealtimeAspire.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RealtimeAspire.Tests.Reliability;

/// <summary>The end-of-run figures of a fault scenario, as printed and written to artifacts/reliability/.</summary>
public sealed record FaultFigures(
    string Scenario,
    int Clients,
    int Sent,
    int Acked,
    int Unacked,
    int Delivered,
    long Deliveries,
    int Stored,
    int Lost,
    int Duplicates,
    int SeqReused,
    double? RecoverySeconds,
    double? OutageSeconds,
    double TrafficSeconds,
    IReadOnlyDictionary<string, int> SendFailures,
    IReadOnlyList<string> Problems)
{
    /// <summary>Nothing lost, nothing twice, every message acked, every seq used once.</summary>
    public void AssertNothingLost()
    {
        Assert.Empty(Problems);
        Assert.Equal(0, Unacked);
        Assert.Equal(0, Lost);
        Assert.Equal(0, Duplicates);
        Assert.Equal(0, SeqReused);
        Assert.Equal(Sent, Acked);
        Assert.Equal(Acked, Delivered);
        Assert.Equal(Acked, Stored);
    }
}

/// <summary>
/// The accounting at the end of a fault scenario: every acked message must have reached every client of the room
/// (live or by the rejoin's <c>since</c>), be stored in PostgreSQL exactly once, with its own seq.
/// </summary>
public static class FaultAccounting
{
    private static readonly TimeSpan DeliveryDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StorageDeadline = TimeSpan.FromSeconds(90);

    public static async Task<FaultFigures> AccountAsync(SteadyTraffic traffic, RealtimeAppFixture fixture, ITestOutputHelper output)
    {
        await traffic.StopAsync();
        var stoppedAt = DateTimeOffset.UtcNow;
        var sent = traffic.Sent.ToList();
        var acked = sent.Where(m => m.Ack is not null).ToList();
        var problems = new List<string>(await UnwellResourcesAsync(fixture));

        // A seq acknowledged for two different messages was used twice.
        var ackedBySeq = acked.GroupBy(m => m.Ack!.Seq).ToDictionary(g => g.Key, g => g.ToList());
        var seqReused = ackedBySeq.Values.Count(g => g.Select(m => m.Ack!.MessageId).Distinct().Count() > 1);

        // Storage first, so its time counts from the end of the traffic.
        var stored = await ReadStoredAsync(fixture, traffic.Room, ackedBySeq.Keys.ToHashSet());
        var storedSeconds = (DateTimeOffset.UtcNow - stoppedAt).TotalSeconds;
        await WaitUntilAsync(() => traffic.Clients.All(c => ackedBySeq.Keys.All(c.Received.ContainsKey)), DeliveryDeadline);
        var lostSeqs = new HashSet<long>();
        foreach (var client in traffic.Clients)
        {
            var missing = ackedBySeq.Keys.Where(seq => !client.Received.ContainsKey(seq)).Order().ToList();
            lostSeqs.UnionWith(missing);
            if (missing.Count > 0)
            {
                problems.Add($"client {client.Index} ({client.Replica}) missed seqs {string.Join(",", missing.Take(20))}{(missing.Count > 20 ? "…" : "")}");
            }

            foreach (var (seq, messageId) in client.Received)
            {
                if (!ackedBySeq.TryGetValue(seq, out var messages))
                {
                    problems.Add($"client {client.Index} received seq {seq}, which no ack named");
                }
                else if (messages[0].Ack!.MessageId != messageId)
                {
                    problems.Add($"client {client.Index} received seq {seq} as {messageId}, acked as {messages[0].Ack!.MessageId}");
                }
            }
        }

        foreach (var seq in ackedBySeq.Keys.Where(seq => !stored.ContainsKey(seq)))
        {
            lostSeqs.Add(seq);
            problems.Add($"seq {seq} was acked but is not stored");
        }

        foreach (var (seq, row) in stored)
        {
            if (!ackedBySeq.TryGetValue(seq, out var messages))
            {
                problems.Add($"seq {seq} is stored ({row.Content}) but was never acked");
            }
            else if (messages[0].Ack!.MessageId != row.MessageId.ToString())
            {
                problems.Add($"seq {seq} is stored as {row.MessageId}, acked as {messages[0].Ack!.MessageId}");
            }
        }

        var storedTwice = stored.Values.GroupBy(row => row.Content).Count(g => g.Count() > 1);
        var figures = new FaultFigures(
            traffic.Scenario,
            traffic.Clients.Count,
            sent.Count,
            acked.Count,
            sent.Count - acked.Count,
            acked.Count(m => traffic.Clients.All(c => c.Received.ContainsKey(m.Ack!.Seq))),
            traffic.Clients.Sum(c => (long)c.Received.Count),
            acked.Count(m => stored.ContainsKey(m.Ack!.Seq)),
            acked.Count(m => lostSeqs.Contains(m.Ack!.Seq)),
            traffic.Clients.Sum(c => c.Duplicates) + storedTwice,
            seqReused,
            traffic.Recovery?.TotalSeconds is { } recovery ? Math.Round(recovery, 2) : null,
            traffic is { FaultAt: { } faultAt, RestoredAt: { } restoredAt } ? Math.Round((restoredAt - faultAt).TotalSeconds, 2) : null,
            Math.Round((stoppedAt - traffic.StartedAt).TotalSeconds, 1),
            new SortedDictionary<string, int>(traffic.Failures.ToDictionary(), StringComparer.Ordinal),
            problems);

        Report(figures, storedSeconds, traffic, output);
        return figures;
    }

    /// <summary>Reads the room's stored messages until every acked seq is there or the deadline passes.</summary>
    private static async Task<Dictionary<long, StoredMessage>> ReadStoredAsync(RealtimeAppFixture fixture, string room, IReadOnlySet<long> expected)
    {
        var connectionString = await fixture.App.GetConnectionStringAsync("messagesdb").AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        var options = new DbContextOptionsBuilder<MessagesDbContext>().UseNpgsql(connectionString).Options;
        var deadline = DateTimeOffset.UtcNow + StorageDeadline;
        var rows = new Dictionary<long, StoredMessage>();
        while (true)
        {
            try
            {
                await using var db = new MessagesDbContext(options);
                rows = await db.Messages.AsNoTracking().Where(m => m.Room == room).ToDictionaryAsync(m => m.Seq)
                    .WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
            {
                // PostgreSQL may still be on its way back.
            }

            if (expected.All(rows.ContainsKey) || DateTimeOffset.UtcNow > deadline)
            {
                return rows;
            }

            await Task.Delay(500);
        }
    }

    /// <summary>
    /// The system must be whole after a fault: every resource running and healthy (allowing a minute for one that was
    /// just restarted). A fault must not take down a service it did not touch.
    /// </summary>
    private static async Task<List<string>> UnwellResourcesAsync(RealtimeAppFixture fixture)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            var unwell = new List<string>();
            foreach (var resource in TestSystem.InfrastructureResources.Concat(TestSystem.ProjectResources))
            {
                fixture.App.ResourceNotifications.TryGetCurrentState(resource, out var current);
                var (state, health) = (current?.Snapshot.State?.Text, current?.Snapshot.HealthStatus);
                if (health != Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy)
                {
                    unwell.Add($"{resource} is {state ?? "unknown"} and {health?.ToString() ?? "unchecked"} after the fault");
                }
            }

            if (unwell.Count == 0 || DateTimeOffset.UtcNow > deadline)
            {
                return unwell;
            }

            await Task.Delay(500);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (!condition() && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(200);
        }
    }

    private static void Report(FaultFigures figures, double storedSeconds, SteadyTraffic traffic, ITestOutputHelper output)
    {
        output.WriteLine(
            $"{figures.Scenario}: {figures.Clients} clients, sent {figures.Sent}, acked {figures.Acked}, delivered to all {figures.Delivered}, " +
            $"stored {figures.Stored}, lost {figures.Lost}, duplicates {figures.Duplicates}, seq reused {figures.SeqReused}, " +
            $"recovery {figures.RecoverySeconds?.ToString("0.00") ?? "-"} s, outage {figures.OutageSeconds?.ToString("0.00") ?? "-"} s, " +
            $"all stored {storedSeconds:0.0} s after the traffic stopped");
        foreach (var client in traffic.Clients)
        {
            output.WriteLine($"client {client.Index}: now on {client.Replica}, lost connections (close codes) [{string.Join(",", client.LostConnections.Select(c => c?.ToString() ?? "none"))}], received {client.Received.Count}");
        }

        foreach (var problem in figures.Problems.Take(50))
        {
            output.WriteLine($"PROBLEM: {problem}");
        }

        new ReliabilityReport(figures.Scenario, output)
            .Set("clients", figures.Clients)
            .Set("sent", figures.Sent)
            .Set("acked", figures.Acked)
            .Set("unacked", figures.Unacked)
            .Set("delivered", figures.Delivered)
            .Set("deliveries", figures.Deliveries)
            .Set("stored", figures.Stored)
            .Set("lost", figures.Lost)
            .Set("duplicates", figures.Duplicates)
            .Set("seqReused", figures.SeqReused)
            .Set("recoverySeconds", figures.RecoverySeconds)
            .Set("outageSeconds", figures.OutageSeconds)
            .Set("storedSecondsAfterTraffic", Math.Round(storedSeconds, 1))
            .Set("trafficSeconds", figures.TrafficSeconds)
            .Set("sendFailures", figures.SendFailures)
            .Set("problems", figures.Problems.Take(50).ToList())
            .Write();
    }
}
