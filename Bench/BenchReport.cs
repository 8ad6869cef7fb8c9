using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace RealtimeAspire.Bench;

/// <summary>
/// The side-by-side table of docs/benchmarks.md, from one run of scripts/bench.sh: peers/ (Socket.IO, SignalR),
/// rt1-gateway/ (ours through the Gateway), rt1-direct/ (ours straight to the replicas), rt1-gateway-memory/
/// (the Gateway's own RSS), floor/ (`Bench floor`: the kernel's share of a delivery on this machine), the storm's
/// results in rt1-gateway/ and peers/ (<see cref="StormReport"/>). Written between two markers so the
/// hand-written parts of the page stay.
/// </summary>
internal static class BenchReport
{
    public const string Begin = "<!-- bench:begin (written by `Bench report`; do not edit by hand) -->";
    public const string End = "<!-- bench:end -->";

    public static string Render(string resultsDir, string fanout, string idle)
    {
        var all = Directory.EnumerateFiles(resultsDir, "*.json", SearchOption.AllDirectories)
            .Select(path => (Set: Path.GetFileName(Path.GetDirectoryName(path))!, Name: Path.GetFileNameWithoutExtension(path), Json: Read(path)))
            .Where(r => r.Json is not null).ToList();
        JsonObject? Find(string set, string name) => all.FirstOrDefault(r => r.Set == set && r.Name == name).Json;
        var peers = new[] { "socketio", "signalr" };
        var stormSizes = StormReport.Sizes(all.Select(r => r.Name));

        var md = new StringBuilder();
        md.AppendLine(Begin).AppendLine();
        var env = Path.Combine(resultsDir, "peers", "env.txt");
        if (File.Exists(env))
        {
            md.AppendLine("```").Append(File.ReadAllText(env).Trim()).AppendLine().AppendLine("```").AppendLine();
        }

        md.AppendLine($"### Targets: ours ÷ best peer, same run (`{fanout}`, `{idle}`, `ramp`{string.Concat(stormSizes.Select(n => $", `storm-{n}`"))})").AppendLine();
        md.AppendLine("| metric | Socket.IO | SignalR | ours | ours ÷ best peer | target | met |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");

        var peerFanout = peers.Select(p => Find("peers", $"{p}-{fanout}")).ToList();
        var gatewayFanout = Find("rt1-gateway", $"rt1-{fanout}");
        Ratio(md, "server CPU µs/delivery: ConnectionService replicas", peerFanout.Select(r => Number(r, "serverCpuUsPerDelivery")), Number(gatewayFanout, "serverCpuUsPerDelivery"), 0.4, lowerIsBetter: true);
        Ratio(md, "server CPU µs/delivery: whole system (replicas + Gateway + Redis + MessageService + AuthService + PostgreSQL; peers: servers + Redis)",
            peerFanout.Select(SystemCpu), SystemCpu(gatewayFanout), 0.75, lowerIsBetter: true);
        Ratio(md, "p99 latency ms through the Gateway", peerFanout.Select(r => Number(r?["latencyMs"] as JsonObject, "p99")), Number(gatewayFanout?["latencyMs"] as JsonObject, "p99"), 0.5, lowerIsBetter: true);
        Ratio(md, "highest sustainable deliveries/s through the Gateway (ramp)", peers.Select(p => Number(Find("peers", $"{p}-ramp"), "maxSustainableDeliveriesPerS")),
            Number(Find("rt1-gateway", "rt1-ramp"), "maxSustainableDeliveriesPerS"), 1.5, lowerIsBetter: false);

        var peerIdle = peers.Select(p => Number(Find("peers", $"{p}-{idle}"), "rssPerConnKiB")).ToList();
        Absolute(md, $"idle RSS KiB per connection in the replicas ({idle})", peerIdle, Number(Find("rt1-direct", $"rt1-{idle}"), "rssPerConnKiB"), 6);
        Absolute(md, $"idle RSS KiB per connection in the Gateway ({idle})", peerIdle, Number(Find("rt1-gateway-memory", $"rt1-{idle}"), "rssPerConnKiB"), 6);
        var oneReplica = all.Where(r => r.Set == "one-replica").Select(r => r.Json).FirstOrDefault();
        if (oneReplica is not null)
        {
            var connected = Number(oneReplica["connect"] as JsonObject, "ok");
            md.AppendLine($"| connections on one replica | | | {Format(connected)} | | ≥ 50,000 | {Met(connected >= 50_000)} |");
        }

        StormReport.TargetRows(md, Find, stormSizes);

        var floor = Number(Find("floor", "floor"), "cpuUsPerDelivery");
        var relay = Number(Find("floor", "floor-relay"), "relayCpuUsPerDelivery");
        if (floor is not null || relay is not null)
        {
            var bestPeer = peerFanout.Select(r => Number(r, "serverCpuUsPerDelivery")).Where(v => v is > 0).Min();
            md.AppendLine().AppendLine("Floor on this machine, same run (`Bench floor`: the same fan-out with nothing but one blocking `send()` of pre-framed bytes per delivery; `--relay`: a bare copy loop in between, one `recv` + one `send` per delivery):").AppendLine();
            md.AppendLine("| floor | CPU µs/delivery | the replicas' target (0.4 × best peer) |").AppendLine("| --- | --- | --- |");
            md.AppendLine($"| one `send()` per delivery, no server | {Format(floor)} | {Format(bestPeer * 0.4)} |");
            md.AppendLine($"| a bare relay hop (`recv` + `send`) | {Format(relay)} | |");
        }

        StormReport.Table(md, Find, stormSizes);
        md.AppendLine().AppendLine("\"whole system\" CPU = the measured servers' CPU + the auxiliary processes' (`redisCpuS` of the load generator, which for ours covers every other process of the system).").AppendLine();
        foreach (var summary in Directory.EnumerateFiles(resultsDir, "summary.md", SearchOption.AllDirectories).Order())
        {
            md.AppendLine($"### Load generator tables: `{Path.GetFileName(Path.GetDirectoryName(summary))}`");
            md.AppendLine(File.ReadAllText(summary).Trim()).AppendLine();
        }

        return md.AppendLine(End).ToString();
    }

    /// <summary>Puts the rendered block into <paramref name="page"/>, replacing the previous one.</summary>
    public static string Splice(string page, string block)
    {
        var begin = page.IndexOf("<!-- bench:begin", StringComparison.Ordinal);
        var end = page.IndexOf(End, StringComparison.Ordinal);
        return begin >= 0 && end > begin
            ? page[..begin] + block.TrimEnd() + page[(end + End.Length)..]
            : page.TrimEnd() + Environment.NewLine + Environment.NewLine + block;
    }

    internal static void Ratio(StringBuilder md, string metric, IEnumerable<double?> peers, double? ours, double target, bool lowerIsBetter)
    {
        var values = peers.ToList();
        var known = values.Where(v => v is > 0).Select(v => v!.Value).ToList();
        double? best = known.Count == 0 ? null : lowerIsBetter ? known.Min() : known.Max();
        double? ratio = best is null || ours is null ? null : ours / best;
        var met = ratio is null ? "no data" : Met(lowerIsBetter ? ratio <= target : ratio >= target);
        md.AppendLine($"| {metric} | {Format(values[0])} | {Format(values[1])} | {Format(ours)} | {Format(ratio)} | {(lowerIsBetter ? "≤" : "≥")} {target}× | {met} |");
    }

    private static void Absolute(StringBuilder md, string metric, IReadOnlyList<double?> peers, double? ours, double limit) =>
        md.AppendLine($"| {metric} | {Format(peers[0])} | {Format(peers[1])} | {Format(ours)} | | ≤ {limit} KiB | {(ours is null ? "no data" : Met(ours <= limit))} |");

    private static double? SystemCpu(JsonObject? result)
    {
        var server = Number(result, "serverCpuS");
        var aux = Number(result, "redisCpuS") ?? 0;
        var received = Number(result, "received");
        return server is null || received is not > 0 ? null : (server + aux) * 1e6 / received;
    }

    internal static double? Number(JsonObject? json, string key) =>
        json?[key] is JsonValue value && value.TryGetValue<double>(out var number) ? number : null;

    internal static string Format(double? value) => value switch
    {
        null => "–",
        >= 1000 => value.Value.ToString("N0", CultureInfo.InvariantCulture),
        _ => value.Value.ToString("0.##", CultureInfo.InvariantCulture),
    };

    internal static string Met(bool? met) => met == true ? "yes" : "**no**";

    private static JsonObject? Read(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or IOException)
        {
            return null;
        }
    }
}
