using System.Diagnostics;
using System.Globalization;
using RealtimeAspire.Client;

namespace RealtimeAspire.Bench;

/// <summary>
/// Room fanout with the .NET client: P publishers send M msg/s in total (open loop) for T s; every member of the
/// room (sender included) expects each message. Content is "&lt;seq&gt; &lt;send time ms&gt; padding", as the shared
/// load generator's rt1 driver sends it; latency = receive time − send time in this process.
/// <c>fanout</c> runs one stage at a fixed rate; <c>ramp</c> raises the rate by <c>--step</c> per stage (a failed
/// stage is retried <c>--retries</c> times) until a stage misses p99 ≤ <c>--p99-max</c> ms or loses a message,
/// as the shared load generator's ramp does.
/// </summary>
internal sealed class FanoutScenario : IAsyncDisposable
{
    private const long StageSpan = 100_000_000;

    private readonly BenchArguments _args;
    private readonly BenchConnections _connections;
    private readonly Stage?[] _stages = new Stage?[64];
    private readonly int _subs;
    private readonly string _padding;
    private readonly IReadOnlyList<int> _serverPids;
    private readonly IReadOnlyList<int> _auxPids;
    private List<(RealtimeClient Client, string Room)> _publishers = [];
    private int _stray;

    private FanoutScenario(BenchArguments args, IReadOnlyList<Uri> urls, BenchUsers users, int userCount)
    {
        _args = args;
        _connections = new BenchConnections(urls, users, userCount);
        _subs = args.Int("subs", 100);
        _padding = new string('x', args.Int("size", 64));
        _serverPids = args.Pids("server-pids");
        _auxPids = args.Pids("aux-pids");
    }

    public static async Task<object> RunAsync(BenchArguments args, IReadOnlyList<Uri> urls, BenchUsers users, int userCount, CancellationToken cancellationToken)
    {
        await using var scenario = new FanoutScenario(args, urls, users, userCount);
        var (connect, rate) = (await scenario.ConnectAsync(cancellationToken), args.Double("rate", 300));
        await scenario.WarmUpAsync(rate, cancellationToken);
        var result = await scenario.RunStageAsync(1, rate, args.Int("duration", 10), cancellationToken);
        return new { peer = args.String("label", "rt1-dotnet"), proto = "rt1", scenario = $"fanout-{rate}", at = DateTimeOffset.UtcNow, connect, stray = scenario._stray, result };
    }

    public static async Task<object> RampAsync(BenchArguments args, IReadOnlyList<Uri> urls, BenchUsers users, int userCount, CancellationToken cancellationToken)
    {
        await using var scenario = new FanoutScenario(args, urls, users, userCount);
        var connect = await scenario.ConnectAsync(cancellationToken);
        var (startRate, step, maxStages, retries) = (args.Double("rate", 200), args.Double("step", 1.25), args.Int("max-stages", 12), args.Int("retries", 1));
        var p99Max = args.Double("p99-max", 100);
        await scenario.WarmUpAsync(startRate, cancellationToken);

        var stages = new List<StageResult>();
        var index = 1;
        for (var s = 0; s < maxStages && index < scenario._stages.Length; s++)
        {
            var rate = Math.Round(startRate * Math.Pow(step, s));
            StageResult result;
            bool pass;
            var attempt = 0;
            do
            {
                result = await scenario.RunStageAsync(index++, rate, args.Int("duration", 5), cancellationToken);
                pass = result is { Lost: 0, AckFailures: 0, LatencyMs.P99: { } p99 } && p99 <= p99Max;
                result = result with { Stage = $"{s + 1}.{++attempt}", Pass = pass };
                stages.Add(result);
                Console.Error.WriteLine($"[bench] ramp {result.Stage}: offered {rate * scenario._subs}/s, {result.DeliveriesPerS}/s, p99 {result.LatencyMs.P99} ms, lost {result.Lost}: {(pass ? "pass" : "FAIL")}");
                await Task.Delay(500, cancellationToken);
            }
            while (!pass && attempt <= retries && index < scenario._stages.Length);

            if (!pass)
            {
                break;
            }
        }

        var best = stages.LastOrDefault(r => r.Pass == true);
        return new
        {
            peer = args.String("label", "rt1-dotnet"), proto = "rt1", scenario = "ramp", at = DateTimeOffset.UtcNow, connect, stray = scenario._stray,
            p99MaxMs = p99Max, maxSustainableDeliveriesPerS = best?.DeliveriesPerS ?? 0, maxSustainableOfferedMsgPerS = best?.OfferedMsgPerS ?? 0, stages,
        };
    }

    public ValueTask DisposeAsync() => _connections.DisposeAsync();

    private async Task<ConnectResult> ConnectAsync(CancellationToken cancellationToken)
    {
        var (rooms, pubs) = (_args.Int("rooms", 10), _args.Int("pubs", 10));
        var connect = await _connections.OpenAsync(rooms * _subs, rooms, _args.Int("concurrency", 100), (client, _) =>
            client.MessageReceived += (_, message) => Received(message), cancellationToken);
        Console.Error.WriteLine($"[bench] fanout: {connect.Ok}/{rooms * _subs} connected in {connect.Secs}s {string.Join("; ", connect.Errors.Select(e => $"{e.Value}× {e.Key}"))}");
        _publishers = Enumerable.Range(0, pubs).Where(p => _connections.Clients[p] is not null)
            .Select(p => (Client: _connections.Clients[p]!, Room: BenchConnections.Room(p % rooms))).ToList();
        return _publishers.Count > 0 ? connect : throw new InvalidOperationException("No publisher connected.");
    }

    private void Received(ChatMessage message)
    {
        var now = NowMs();
        var parts = message.Content!.Split(' ', 3);
        var seq = long.Parse(parts[0], CultureInfo.InvariantCulture);
        if (_stages[seq / StageSpan] is { } stage)
        {
            stage.Received(now - double.Parse(parts[1], CultureInfo.InvariantCulture));
        }
        else
        {
            Interlocked.Increment(ref _stray);
        }
    }

    private async Task WarmUpAsync(double rate, CancellationToken cancellationToken)
    {
        if (_args.Int("warmup", 3) is var seconds and > 0)
        {
            await RunStageAsync(0, rate, seconds, cancellationToken);
        }
    }

    private async Task<StageResult> RunStageAsync(int index, double rate, int seconds, CancellationToken cancellationToken)
    {
        var stage = _stages[index] = new Stage();
        var total = (int)(rate * seconds);
        var cpu0 = (ProcessStats.TotalCpuSeconds(_serverPids), ProcessStats.TotalCpuSeconds(_auxPids));
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

            var (client, room) = _publishers[sent % _publishers.Count];
            var content = string.Create(CultureInfo.InvariantCulture, $"{index * StageSpan + sent} {NowMs():F3} {_padding}");
            acks.Add(Acknowledge(client.SendAsync(room, content, cancellationToken: cancellationToken), stage));
            stage.Expected += _subs;
            if (progress.Elapsed >= TimeSpan.FromSeconds(1))
            {
                progress.Restart();
                Console.Error.WriteLine($"[bench] stage {index}: sent {sent}/{total}, received {stage.Count}/{stage.Expected}, p99 so far {stage.Latency.Summarise().P99} ms");
            }
        }

        var sendSeconds = clock.Elapsed.TotalSeconds;
        var drainEnd = clock.Elapsed + TimeSpan.FromSeconds(_args.Int("drain", 5));
        while (stage.Count < stage.Expected && clock.Elapsed < drainEnd)
        {
            await Task.Delay(10, cancellationToken);
        }

        await Task.WhenAll(acks);
        var wall = clock.Elapsed.TotalSeconds;
        var serverCpu = ProcessStats.TotalCpuSeconds(_serverPids) - cpu0.Item1;
        var auxCpu = ProcessStats.TotalCpuSeconds(_auxPids) - cpu0.Item2;
        var activeSeconds = (stage.LastReceivedMs - stage.StartMs) / 1000;
        var result = new StageResult(
            $"{index}", rate, total, Math.Round(sendSeconds, 2), stage.Expected, stage.Count, stage.Expected - stage.Count, stage.AckFailures,
            Math.Round(stage.Count / Math.Max(activeSeconds, 0.001)), stage.Latency.Summarise(),
            Math.Round(serverCpu, 2), Math.Round(100 * serverCpu / wall, 1), Math.Round(serverCpu * 1e6 / Math.Max(stage.Count, 1), 2),
            Math.Round(auxCpu, 2), Math.Round((serverCpu + auxCpu) * 1e6 / Math.Max(stage.Count, 1), 2));
        Console.Error.WriteLine($"[bench] stage {index}: {result.Received}/{result.Expected} delivered, {result.DeliveriesPerS}/s, p99 {result.LatencyMs.P99} ms, server {result.ServerCpuUsPerDelivery} µs/delivery");
        return result;
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

/// <summary>One stage of fanout or ramp, with the fields the shared load generator reports.</summary>
internal sealed record StageResult(
    string Stage, double OfferedMsgPerS, int Sent, double SendS, long Expected, int Received, long Lost, int AckFailures,
    double DeliveriesPerS, LatencySummary LatencyMs, double ServerCpuS, double ServerCpuPct, double ServerCpuUsPerDelivery,
    double AuxCpuS, double SystemCpuUsPerDelivery, bool? Pass = null);
