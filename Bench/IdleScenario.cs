namespace RealtimeAspire.Bench;

/// <summary>
/// N authenticated, joined, idle connections; resident memory per connection of each server process separately
/// (the replicas and the Gateway), which the shared load generator only reports as one sum.
/// </summary>
internal static class IdleScenario
{
    public static async Task<object> RunAsync(BenchArguments args, IReadOnlyList<Uri> urls, BenchUsers users, int userCount, CancellationToken cancellationToken)
    {
        var conns = args.Int("conns", 2000);
        var rooms = args.Int("rooms", 100);
        var pids = args.Pids("server-pids").Concat(args.Pids("gateway-pids")).ToList();
        var before = pids.ToDictionary(p => p, ProcessStats.RssKiB);

        await using var connections = new BenchConnections(urls, users, userCount);
        var connect = await connections.OpenAsync(conns, rooms, args.Int("concurrency", 100), null, cancellationToken);
        Console.Error.WriteLine($"[bench] idle: {connect.Ok} connected in {connect.Secs}s; holding {args.Int("hold", 3)}s {string.Join("; ", connect.Errors.Select(e => $"{e.Value}× {e.Key}"))}");
        await Task.Delay(TimeSpan.FromSeconds(args.Int("hold", 3)), cancellationToken);
        GC.Collect(); // only our own process; the servers are measured as they are

        var perProcess = pids.Select(pid =>
        {
            var after = ProcessStats.RssKiB(pid);
            return new
            {
                pid,
                role = args.Pids("gateway-pids").Contains(pid) ? "gateway" : "replica",
                rssKiBBefore = before[pid],
                rssKiBAfter = after,
                rssPerConnKiB = Math.Round((after - before[pid]) / Math.Max(connect.Ok, 1), 2),
            };
        }).ToList();

        // A replica holds only its share of the connections: per-connection cost = its growth ÷ its share.
        var replicas = perProcess.Where(p => p.role == "replica").ToList();
        var gateway = perProcess.Where(p => p.role == "gateway").ToList();
        return new
        {
            peer = args.String("label", "rt1-dotnet"), proto = "rt1", scenario = $"idle-{conns}", at = DateTimeOffset.UtcNow,
            @params = new { conns, rooms, servers = urls.Count, users = userCount },
            connect,
            perProcess,
            replicaRssPerConnKiB = replicas.Count == 0 ? (double?)null : Math.Round(replicas.Sum(p => p.rssKiBAfter - p.rssKiBBefore) / Math.Max(connect.Ok, 1), 2),
            gatewayRssPerConnKiB = gateway.Count == 0 ? (double?)null : Math.Round(gateway.Sum(p => p.rssKiBAfter - p.rssKiBBefore) / Math.Max(connect.Ok, 1), 2),
        };
    }
}
