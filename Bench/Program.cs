using System.Text.Json;
using RealtimeAspire.Bench;

// Bench: runs the peer-bench scenarios against RealtimeAspire with the .NET client, and writes the report.
//   Bench idle   --urls URL[,URL] --auth-url URL --conns N --rooms R [--users U] [--server-pids P,P] [--gateway-pids P]
//   Bench fanout --urls URL[,URL] --auth-url URL --rooms R --subs S --pubs P --rate M --duration T [--server-pids ...] [--aux-pids ...]
//   Bench ramp   (as fanout) --rate M0 --step 1.25 --max-stages 12 --retries 1 --duration 5 --p99-max 100
//   Bench storm  --urls GATEWAY --auth-url URL --conns N --rooms R --rate M --pubs P --drain-url REPLICA --operator-key K [--processes name=pid,pid;name=pid]
//   Bench floor  --conns 500 --rooms 10 --rate 300 --duration 10 --size 120 [--relay]   (no server: the kernel's share, see FloorScenario)
//   Bench report --results DIR [--page docs/benchmarks.md] [--fanout fanout-300] [--idle idle-10000]
// One JSON line of results on stdout (or --out FILE); progress on stderr.
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine("usage: Bench idle|fanout|ramp|storm|floor|report [--flag value ...]   (see Program.cs and docs/benchmarks.md)");
    return 2;
}

var options = new BenchArguments(args.Skip(1));
using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(options.Int("max-time", 900)));
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

if (args[0] == "report")
{
    var page = options.String("page", "docs/benchmarks.md");
    var block = BenchReport.Render(options.String("results", "bench-results"), options.String("fanout", "fanout-300"), options.String("idle", "idle-10000"));
    await File.WriteAllTextAsync(page, BenchReport.Splice(File.Exists(page) ? await File.ReadAllTextAsync(page) : "# Benchmarks\n", block));
    Console.Error.WriteLine($"[bench] wrote {page}");
    return 0;
}

if (args[0] is "floor-sink" or "floor-relay")
{
    return args[0] == "floor-sink" ? await FloorScenario.SinkAsync(options) : await FloorScenario.RelayAsync(options);
}

if (args[0] == "floor")
{
    await WriteResultAsync(await FloorScenario.RunAsync(options, cancellation.Token));
    return 0;
}

var urls = options.List("urls").Select(u => new Uri(u)).ToList();
if (urls.Count == 0)
{
    Console.Error.WriteLine("--urls is required");
    return 2;
}

using var http = new HttpClient { BaseAddress = new Uri(options.String("auth-url", urls[0].ToString())), Timeout = TimeSpan.FromSeconds(30) };
var userCount = options.Int("users", 100);
var users = new BenchUsers(http);
await users.PrepareAsync(userCount, cancellation.Token);
Console.Error.WriteLine($"[bench] {userCount} users ready");

object result = args[0] switch
{
    "idle" => await IdleScenario.RunAsync(options, urls, users, userCount, cancellation.Token),
    "fanout" => await FanoutScenario.RunAsync(options, urls, users, userCount, cancellation.Token),
    "ramp" => await FanoutScenario.RampAsync(options, urls, users, userCount, cancellation.Token),
    "storm" => await StormScenario.RunAsync(options, urls, users, userCount, cancellation.Token),
    var other => throw new ArgumentException($"unknown command {other}"),
};

await WriteResultAsync(result);
return 0;

async Task WriteResultAsync(object result)
{
    var json = JsonSerializer.Serialize(result, new JsonSerializerOptions(JsonSerializerDefaults.Web));
    if (options.Optional("out") is { } file)
    {
        await File.WriteAllTextAsync(file, json + Environment.NewLine);
    }
    else
    {
        Console.WriteLine(json);
    }
}
