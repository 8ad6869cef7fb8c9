using System.Diagnostics;
using System.Globalization;
using RealtimeAspire.Client;

namespace RealtimeAspire.Bench;

/// <summary>
/// Room fanout with the .NET client: P publishers send M msg/s in total (open loop) for T s; every member of the
/// room (sender included) expects each message. Content is "&lt;seq&gt; &lt;send time ms&gt; padding", as the shared
/// load generator's rt1 driver sends it; latency = receive time − send time in this process.
/// </summary>
internal static class FanoutScenario
{
    private const long StageSpan = 100_000_000;

    public static async Task<object> RunAsync(BenchArguments args, IReadOnlyList<Uri> urls, BenchUsers users, int userCount, CancellationToken cancellationToken)
    {
        var (rooms, subs, pubs) = (args.Int("rooms", 10), args.Int("subs", 100), args.Int("pubs", 10));
        var (rate, duration, warmup, drain) = (args.Double("rate", 300), args.Int("duration", 10), args.Int("warmup", 3), args.Int("drain", 5));
        var serverPids = args.Pids("server-pids");
        var auxPids = args.Pids("aux-pids");
        var stages = new Stage?[64];
        var stray = 0;

        await using var connections = new BenchConnections(urls, users, userCount);
        var connect = await connections.OpenAsync(rooms * subs, rooms, args.Int("concurrency", 100), (client, _) =>
            client.MessageReceived += (_, message) =>
            {
                var now = NowMs();
                var parts = message.Content.Split(' ', 3);
                var seq = long.Parse(parts[0], CultureInfo.InvariantCulture);
                if (stages[seq / StageSpan] is { } stage)
                {
                    stage.Received(now - double.Parse(parts[1], CultureInfo.InvariantCulture));
                }
                else
                {
                    Interlocked.Increment(ref stray);
                }
            }, cancellationToken);
        Console.Error.WriteLine($"[bench] fanout: {connect.Ok}/{rooms * subs} connected in {connect.Secs}s {string.Join("; ", connect.Errors.Select(e => $"{e.Value}× {e.Key}"))}");
        var publishers = Enumerable.Range(0, pubs).Where(p => connections.Clients[p] is not null)
            .Select(p => (Client: connections.Clients[p]!, Room: BenchConnections.Room(p % rooms))).ToList();
        if (publishers.Count == 0)
        {
            throw new InvalidOperationException("No publisher connected.");
        }

        var padding = new string('x', args.Int("size", 64));

        if (warmup > 0)
        {
            await RunStageAsync(0, warmup);
        }

        var result = await RunStageAsync(1, duration);
        return new { peer = args.String("label", "rt1-dotnet"), proto = "rt1", scenario = $"fanout-{rate}", at = DateTimeOffset.UtcNow, connect, stray, result };

        async Task<object> RunStageAsync(int index, int seconds)
        {
            var stage = stages[index] = new Stage();
            var total = (int)(rate * seconds);
            var cpu0 = (ProcessStats.TotalCpuSeconds(serverPids), ProcessStats.TotalCpuSeconds(auxPids));
            var clock = Stopwatch.StartNew();
            var acks = new List<Task>(total);
            var progress = Stopwatch.StartNew();
            for (var sent = 0; sent < total; sent++)
            {
                var due = TimeSpan.FromSeconds(sent / rate);
                if (due > clock.Elapsed)
                {
                    await Task.Delay(due - clock.Elapsed, cancellationToken);
                }

                var (client, room) = publishers[sent % publishers.Count];
                var content = string.Create(CultureInfo.InvariantCulture, $"{index * StageSpan + sent} {NowMs():F3} {padding}");
                acks.Add(Acknowledge(client.SendAsync(room, content, cancellationToken: cancellationToken), stage));
                stage.Expected += subs;
                if (progress.Elapsed >= TimeSpan.FromSeconds(1))
                {
                    progress.Restart();
                    Console.Error.WriteLine($"[bench] stage {index}: sent {sent}/{total}, received {stage.Count}/{stage.Expected}, p99 so far {stage.Latency.Summarise().P99} ms");
                }
            }

            var sendSeconds = clock.Elapsed.TotalSeconds;
            var drainEnd = clock.Elapsed + TimeSpan.FromSeconds(drain);
            while (stage.Count < stage.Expected && clock.Elapsed < drainEnd)
            {
                await Task.Delay(10, cancellationToken);
            }

            await Task.WhenAll(acks);
            var wall = clock.Elapsed.TotalSeconds;
            var serverCpu = ProcessStats.TotalCpuSeconds(serverPids) - cpu0.Item1;
            var auxCpu = ProcessStats.TotalCpuSeconds(auxPids) - cpu0.Item2;
            var activeSeconds = (stage.LastReceivedMs - stage.StartMs) / 1000;
            var summary = new
            {
                offeredMsgPerS = rate, sent = total, sendS = Math.Round(sendSeconds, 2), expected = stage.Expected, received = stage.Count,
                lost = stage.Expected - stage.Count, ackFailures = stage.AckFailures, deliveriesPerS = Math.Round(stage.Count / Math.Max(activeSeconds, 0.001)),
                latencyMs = stage.Latency.Summarise(),
                serverCpuS = Math.Round(serverCpu, 2), serverCpuPct = Math.Round(100 * serverCpu / wall, 1),
                serverCpuUsPerDelivery = Math.Round(serverCpu * 1e6 / Math.Max(stage.Count, 1), 2),
                auxCpuS = Math.Round(auxCpu, 2), systemCpuUsPerDelivery = Math.Round((serverCpu + auxCpu) * 1e6 / Math.Max(stage.Count, 1), 2),
            };
            Console.Error.WriteLine($"[bench] stage {index}: {summary.received}/{summary.expected} delivered, {summary.deliveriesPerS}/s, p99 {summary.latencyMs.P99} ms, server {summary.serverCpuUsPerDelivery} µs/delivery");
            return summary;
        }
    }

    private static async Task Acknowledge(Task<MessageAck> ack, Stage stage)
    {
        try
        {
            await ack;
        }
        catch (Exception e) when (e is RealtimeErrorException or TimeoutException or IOException or RealtimeClosedException)
        {
            Interlocked.Increment(ref stage.AckFailures);
        }
    }

    private static double NowMs() => Stopwatch.GetTimestamp() * 1000.0 / Stopwatch.Frequency;

    private sealed class Stage
    {
        private int _count;
        public int AckFailures;
        public long Expected;

        public double StartMs { get; } = NowMs();

        public double LastReceivedMs { get; private set; } = NowMs();

        public Latency Latency { get; } = new();

        public int Count => Volatile.Read(ref _count);

        public void Received(double latencyMs)
        {
            Interlocked.Increment(ref _count);
            LastReceivedMs = NowMs();
            Latency.Add(latencyMs);
        }
    }
}
