using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using RealtimeAspire.Client;
using RealtimeAspire.Contracts;

namespace RealtimeAspire.Bench;

/// <summary>
/// Reconnect storm (issue 19): N clients joined to R rooms through the Gateway with traffic flowing, then one
/// replica is drained as the operator drains it (<c>POST /internal/drain</c> with the operator key). Measures the
/// time from the drain until every drained client is connected again and has rejoined its room (the client
/// rejoins with <c>since</c> by itself), each drained client's own reconnect time, the CPU of every process of the
/// system during the storm, and that every acked message of the run reached every member of its room once.
/// </summary>
internal sealed class StormScenario : IAsyncDisposable
{
    private readonly BenchArguments _args;
    private readonly BenchConnections _connections;
    private readonly int _conns;
    private readonly int _rooms;
    private readonly StormClient[] _states;
    private readonly StormTraffic _traffic;

    private StormScenario(BenchArguments args, IReadOnlyList<Uri> urls, BenchUsers users, int userCount)
    {
        _args = args;
        _conns = args.Int("conns", 5000);
        _rooms = args.Int("rooms", Math.Max(1, _conns / 100));
        _connections = new BenchConnections(urls, users, userCount);
        _states = [.. Enumerable.Range(0, _conns).Select(i => new StormClient(i % _rooms))];
        _traffic = new StormTraffic(_states, _rooms, args.Double("rate", 100), new string('x', args.Int("size", 64)));
    }

    public static async Task<object> RunAsync(BenchArguments args, IReadOnlyList<Uri> urls, BenchUsers users, int userCount, CancellationToken cancellationToken)
    {
        await using var scenario = new StormScenario(args, urls, users, userCount);
        return await scenario.RunAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _connections.DisposeAsync();

    private async Task<object> RunAsync(CancellationToken cancellationToken)
    {
        var drainUrl = new Uri(_args.Optional("drain-url") ?? throw new ArgumentException("--drain-url (the replica to drain) is required"));
        var processes = ProcessGroups.Parse(_args.String("processes", ""));

        var connect = await _connections.OpenAsync(_conns, _rooms, _args.Int("concurrency", 100), (client, i) => _states[i].Attach(client), cancellationToken);
        Console.Error.WriteLine($"[bench] storm: {connect.Ok}/{_conns} connected+joined in {connect.Secs}s ({connect.PerSec}/s) {string.Join("; ", connect.Errors.Select(e => $"{e.Value}× {e.Key}"))}");
        for (var i = 0; i < _conns; i++)
        {
            _states[i].Connected(_connections.Clients[i]);
        }

        var publishers = Enumerable.Range(0, Math.Min(_args.Int("pubs", 10), _conns)).Where(i => _states[i].Client is not null).ToList();
        using var traffic = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sending = _traffic.RunAsync(publishers, traffic.Token);
        await Task.Delay(TimeSpan.FromSeconds(_args.Int("warmup", 5)), cancellationToken);

        // The storm: from the drain call until every drained client is back in its room.
        foreach (var state in _states)
        {
            state.NoteReplica();
        }

        var cpuBefore = processes.CpuSeconds();
        var drainStartMs = StormClient.NowMs();
        var drain = await DrainAsync(drainUrl, _args.String("operator-key", ""), cancellationToken);
        var drainAnsweredMs = StormClient.NowMs();
        var drained = _states.Where(s => s.ReplicaBeforeDrain == drain.Replica).ToList();
        Console.Error.WriteLine($"[bench] storm: drained {drain.Replica} ({drain.Connections} connections, {drained.Count} of ours) in {drainAnsweredMs - drainStartMs:F0} ms");
        var recovered = await WaitForRecoveryAsync(drained, drainStartMs, TimeSpan.FromSeconds(_args.Int("recover-timeout", 180)), cancellationToken);
        var recoveredMs = StormClient.NowMs();
        // NaN (a process not found, or gone meanwhile) has no JSON form: null.
        var cpu = processes.CpuSeconds().ToDictionary(p => p.Key, p => p.Value - cpuBefore[p.Key] is var used && double.IsFinite(used) ? Math.Round(used, 2) : (double?)null);

        await Task.Delay(TimeSpan.FromSeconds(_args.Int("after", 3)), cancellationToken);
        await traffic.CancelAsync();
        await sending;
        var delivery = await _traffic.SettleAsync(TimeSpan.FromSeconds(_args.Int("settle", 15)), cancellationToken);

        var back = drained.Where(s => s.IsBackAfter(drainStartMs)).ToList();
        var undrained = _states.Where(s => s.Client is not null && s.ReplicaBeforeDrain != drain.Replica).ToList();
        var result = new
        {
            peer = _args.String("label", "rt1-dotnet"), proto = "rt1", scenario = $"storm-{_conns}", at = DateTimeOffset.UtcNow,
            @params = new { conns = _conns, rooms = _rooms, rate = _args.Double("rate", 100), pubs = publishers.Count, users = _args.Int("users", 100) },
            connect,
            drain = new { replica = drain.Replica, connections = drain.Connections, callMs = Math.Round(drainAnsweredMs - drainStartMs, 1) },
            drained = drained.Count,
            recovered = back.Count,
            recoverS = recovered ? Math.Round((recoveredMs - drainStartMs) / 1000, 3) : (double?)null,
            reconnectMs = Summarise(back.Select(s => s.BackMs - s.DroppedMs)),
            sinceDrainMs = Summarise(back.Select(s => s.BackMs - drainStartMs)),
            delivery,
            cpuS = cpu,
            processes = processes.Pids,
            errors = new
            {
                connect = connect.Failed,
                notBack = drained.Count - back.Count,
                reconnectAttemptsOverOne = drained.Sum(s => Math.Max(0, s.Drops - 1)),
                undrainedDropped = undrained.Count(s => s.Drops > 0),
                closed = _states.Count(s => s.Closed),
                serverErrors = _states.Sum(s => s.ServerErrors),
                rejoinsNotRecovered = _states.Sum(s => s.IncompleteRejoins),
            },
        };
        Console.Error.WriteLine($"[bench] storm: {back.Count}/{drained.Count} back in {result.recoverS}s, reconnect p99 {result.reconnectMs.P99} ms, missed {delivery.Missed}, duplicated {delivery.Duplicated}");
        return result;
    }

    private static async Task<DrainAnswer> DrainAsync(Uri replica, string operatorKey, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = replica, Timeout = TimeSpan.FromSeconds(120) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/internal/drain");
        request.Headers.Add(InternalApi.OperatorKeyHeader, operatorKey);
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<DrainAnswer>(cancellationToken) ?? throw new InvalidOperationException("Empty drain answer.");
    }

    private static async Task<bool> WaitForRecoveryAsync(IReadOnlyList<StormClient> drained, double drainStartMs, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var progress = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            var back = drained.Count(s => s.IsBackAfter(drainStartMs));
            if (back == drained.Count)
            {
                return true;
            }

            if (progress.Elapsed >= TimeSpan.FromSeconds(1))
            {
                progress.Restart();
                Console.Error.WriteLine($"[bench] storm: {back}/{drained.Count} drained clients back after {clock.Elapsed.TotalSeconds:F1}s");
            }

            await Task.Delay(20, cancellationToken);
        }

        return false;
    }

    private static LatencySummary Summarise(IEnumerable<double> samples)
    {
        var latency = new Latency();
        foreach (var sample in samples)
        {
            latency.Add(sample);
        }

        return latency.Summarise();
    }

    private sealed record DrainAnswer(string Replica, int Connections);
}

/// <summary>CPU seconds of named groups of processes: <c>name=pid,pid;name=pid</c>.</summary>
internal sealed class ProcessGroups(Dictionary<string, IReadOnlyList<int>> groups)
{
    public static ProcessGroups Parse(string spec) => new(spec.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(group => group.Split('=', 2))
        .ToDictionary(parts => parts[0], parts => (IReadOnlyList<int>)[.. parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture))]));

    public IReadOnlyDictionary<string, IReadOnlyList<int>> Pids => groups;

    /// <summary>NaN for a group whose pids were not found, so it reads as unknown rather than idle.</summary>
    public Dictionary<string, double> CpuSeconds() => groups.ToDictionary(g => g.Key, g => g.Value.Count == 0 ? double.NaN : ProcessStats.TotalCpuSeconds(g.Value));
}
