using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace RealtimeAspire.Bench;

/// <summary>
/// The reconnect storm's part of the report: its rows of the targets table and the "Reconnect storm" table, from
/// <c>rt1-gateway/rt1-storm-N.json</c> (<c>Bench storm</c>) and <c>peers/&lt;peer&gt;-storm-N.json</c> (<c>Bench/peers/storm.js</c>).
/// </summary>
internal static class StormReport
{
    private static readonly string[] Peers = ["socketio", "signalr"];

    /// <summary>The storm sizes of the run (the N of <c>storm-N</c>), smallest first.</summary>
    public static IReadOnlyList<int> Sizes(IEnumerable<string> names) =>
        [.. names.Where(n => n.Contains("storm-", StringComparison.Ordinal))
            .Select(n => int.TryParse(n[(n.LastIndexOf('-') + 1)..], CultureInfo.InvariantCulture, out var size) ? size : 0)
            .Where(size => size > 0).Distinct().Order()];

    public static void TargetRows(StringBuilder md, Func<string, string, JsonObject?> find, IReadOnlyList<int> sizes)
    {
        foreach (var n in sizes)
        {
            var peers = Peers.Select(p => find("peers", $"{p}-storm-{n}")).ToList();
            var ours = find("rt1-gateway", $"rt1-storm-{n}");
            BenchReport.Ratio(md, $"storm-{n}: time until every client of the drained (peers: restarted) server is back and rejoined, s",
                peers.Select(p => BenchReport.Number(p, "recoverS")), BenchReport.Number(ours, "recoverS"), 0.5, lowerIsBetter: true);
            BenchReport.Ratio(md, $"storm-{n}: connect + join rate through the Gateway (peers: nginx), clients/s",
                peers.Select(p => BenchReport.Number(p?["connect"] as JsonObject, "perSec")), BenchReport.Number(ours?["connect"] as JsonObject, "perSec"), 2, lowerIsBetter: false);
            var delivery = ours?["delivery"] as JsonObject;
            var (missed, duplicated) = (BenchReport.Number(delivery, "missed"), BenchReport.Number(delivery, "duplicated"));
            md.AppendLine($"| storm-{n}: acked messages missed / duplicated by a member (ours) | | | {BenchReport.Format(missed)} / {BenchReport.Format(duplicated)} | | 0 / 0 | {(delivery is null ? "no data" : BenchReport.Met(missed == 0 && duplicated == 0))} |");
        }
    }

    public static void Table(StringBuilder md, Func<string, string, JsonObject?> find, IReadOnlyList<int> sizes)
    {
        if (sizes.Count == 0)
        {
            return;
        }

        md.AppendLine().AppendLine("### Reconnect storm").AppendLine();
        md.AppendLine("Ours: `Bench storm`, N clients through the Gateway, `connection-service-1` drained (`POST /internal/drain`); the peers: `Bench/peers/storm.js`, one of the two servers restarted under its clients (TERM, up to 5 s, KILL, the same command again). Recovery = from the drain (the kill) until every client of that server was connected again and had rejoined its room; reconnect = each such client's own time from its drop to its rejoin. The peers have no resume: their `lost` is what their clients missed while away.").AppendLine();
        md.AppendLine("| system | clients | of the drained server | back | connect + join /s | recovery s | reconnect p50 / p99 / max ms | sent | missed | duplicated | errors | CPU s during the storm |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var n in sizes)
        {
            foreach (var (name, result) in Peers.Select(p => (p, find("peers", $"{p}-storm-{n}"))).Append(("ours", find("rt1-gateway", $"rt1-storm-{n}"))))
            {
                if (result is null)
                {
                    continue;
                }

                var delivery = result["delivery"] as JsonObject;
                var reconnect = result["reconnectMs"] as JsonObject;
                var errors = result["errors"] is JsonObject e ? string.Join(", ", e.Select(p => $"{p.Key} {p.Value}")) : "";
                var cpu = result["cpuS"] is JsonObject c ? string.Join(", ", c.Select(p => $"{p.Key} {p.Value?.ToJsonString() ?? "–"}")) : "";
                var missed = BenchReport.Number(delivery, "missed") ?? BenchReport.Number(delivery, "lost");
                md.AppendLine($"| {name} | {BenchReport.Format(n)} | {BenchReport.Format(BenchReport.Number(result, "drained"))} | {BenchReport.Format(BenchReport.Number(result, "recovered"))} " +
                    $"| {BenchReport.Format(BenchReport.Number(result["connect"] as JsonObject, "perSec"))} | {BenchReport.Format(BenchReport.Number(result, "recoverS"))} " +
                    $"| {BenchReport.Format(BenchReport.Number(reconnect, "p50"))} / {BenchReport.Format(BenchReport.Number(reconnect, "p99"))} / {BenchReport.Format(BenchReport.Number(reconnect, "max"))} " +
                    $"| {BenchReport.Format(BenchReport.Number(delivery, "sent"))} | {BenchReport.Format(missed)}{(name == "ours" ? "" : " lost")} " +
                    $"| {(name == "ours" ? BenchReport.Format(BenchReport.Number(delivery, "duplicated")) : "–")} | {errors} | {cpu} |");
            }
        }
    }
}
