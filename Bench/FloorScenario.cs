using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace RealtimeAspire.Bench;

/// <summary>
/// The floor under any server's CPU per delivery on this machine: the fanout pattern of one replica (M msg/s, each
/// sent to every member of its room, one connection per member) done with nothing but a blocking <c>send()</c> of
/// pre-framed bytes per delivery — no HTTP, no WebSocket library, no pipes, no thread hops. The members are a
/// separate process (<c>floor-sink</c>) reading and counting, as the load generator does. What a real server
/// spends above this is its own; this part every design that writes each delivery to its own socket pays.
/// With <c>--relay</c> the members connect through a relay process (<c>floor-relay</c>) that copies every byte
/// from its upstream connection to its member's, as a proxy does with nothing else to do: the floor of a hop.
/// </summary>
internal static class FloorScenario
{
    public static async Task<object> RunAsync(BenchArguments args, CancellationToken cancellationToken)
    {
        var (conns, rooms, rate) = (args.Int("conns", 500), args.Int("rooms", 10), args.Double("rate", 300));
        var (duration, size) = (args.Int("duration", 10), args.Int("size", 120));
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(conns);
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        // The relay's socket continuations run on the epoll thread: no thread-pool hop per copied frame, the leanest .NET can copy.
        using var relay = args.Flag("relay") ? StartBench("floor-relay", "--port", $"{port}", "--conns", $"{conns}") : null;
        var sinkPort = relay is null ? port : int.Parse(await relay.StandardOutput.ReadLineAsync(cancellationToken) ?? "0");
        using var sink = StartBench("floor-sink", "--port", $"{sinkPort}", "--conns", $"{conns}");
        var sockets = new Socket[conns];
        for (var i = 0; i < conns; i++)
        {
            sockets[i] = await listener.AcceptSocketAsync(cancellationToken);
            sockets[i].NoDelay = true;
        }

        var members = Enumerable.Range(0, rooms).Select(r => sockets.Where((_, i) => i % rooms == r).ToArray()).ToArray();
        var frame = new byte[size];
        frame[0] = 0x81; // a final text frame, as a server sends it: unmasked, so the same bytes go to every member
        frame[1] = 126;
        (frame[2], frame[3]) = ((byte)((size - 4) >> 8), (byte)(size - 4));

        Console.Error.WriteLine($"[bench] floor: {conns} connections, {rooms} rooms, {rate} msg/s for {duration} s");
        var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var relayCpu0 = relay is null ? 0 : ProcessStats.CpuSeconds(relay.Id);
        var clock = Stopwatch.StartNew();
        var total = (int)(rate * duration);
        long deliveries = 0;
        for (var sent = 0; sent < total; sent++)
        {
            // Whole milliseconds: a shorter Thread.Sleep is a sched_yield loop, whose CPU would count as the floor's.
            var wait = TimeSpan.FromSeconds(sent / rate) - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                Thread.Sleep((int)Math.Ceiling(wait.TotalMilliseconds));
            }

            foreach (var member in members[sent % rooms])
            {
                member.Send(frame);
                deliveries++;
            }
        }

        var wall = clock.Elapsed.TotalSeconds;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
        var relayCpu = relay is null ? 0 : ProcessStats.CpuSeconds(relay.Id) - relayCpu0;
        foreach (var socket in sockets)
        {
            socket.Shutdown(SocketShutdown.Send);
        }

        var received = long.Parse(await sink.StandardOutput.ReadToEndAsync(cancellationToken)) / size;
        await sink.WaitForExitAsync(cancellationToken);
        relay?.Kill();
        foreach (var socket in sockets)
        {
            socket.Dispose();
        }

        Console.Error.WriteLine($"[bench] floor: {deliveries} deliveries in {wall:F1} s, {received} received, sender {cpu * 1e6 / deliveries:F2} µs CPU per delivery, relay {relayCpu * 1e6 / deliveries:F2}");
        return new
        {
            scenario = relay is null ? "floor" : "floor-relay", at = DateTimeOffset.UtcNow, @params = new { conns, rooms, rate, duration, size },
            deliveries, received, lost = deliveries - received, wallS = Math.Round(wall, 2), cpuS = Math.Round(cpu, 2),
            cpuUsPerDelivery = Math.Round(cpu * 1e6 / deliveries, 2),
            relayCpuS = Math.Round(relayCpu, 2), relayCpuUsPerDelivery = Math.Round(relayCpu * 1e6 / deliveries, 2),
        };
    }

    /// <summary>The relay: for each member that connects, one upstream connection; copies upstream → member.</summary>
    public static async Task<int> RelayAsync(BenchArguments args)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(args.Int("conns", 500));
        Console.WriteLine(((IPEndPoint)listener.LocalEndpoint).Port);
        var copies = new List<Task>();
        for (var i = 0; i < args.Int("conns", 500); i++)
        {
            var member = await listener.AcceptSocketAsync();
            var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await upstream.ConnectAsync(IPAddress.Loopback, args.Int("port", 0));
            member.NoDelay = true;
            copies.Add(CopyAsync(upstream, member));
        }

        await Task.WhenAll(copies);
        return 0;

        static async Task CopyAsync(Socket from, Socket to)
        {
            var buffer = new byte[16384];
            int read;
            while ((read = await from.ReceiveAsync(buffer)) > 0)
            {
                to.Send(buffer.AsSpan(0, read));
            }

            to.Shutdown(SocketShutdown.Send);
        }
    }

    private static Process StartBench(params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
        start.Environment["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = arguments[0] == "floor-relay" ? "1" : null;
        // Started as `dotnet Bench.dll` the child needs the assembly; started as the Bench executable it does not.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(Environment.GetCommandLineArgs()[0]);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    /// <summary>The members: connects, reads until every connection ends, prints the bytes received.</summary>
    public static async Task<int> SinkAsync(BenchArguments args)
    {
        var port = args.Int("port", 0);
        var sockets = new List<Socket>();
        for (var i = 0; i < args.Int("conns", 500); i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, port);
            sockets.Add(socket);
        }

        var counts = await Task.WhenAll(sockets.Select(async socket =>
        {
            var buffer = new byte[16384];
            long bytes = 0;
            int read;
            while ((read = await socket.ReceiveAsync(buffer)) > 0)
            {
                bytes += read;
            }

            socket.Dispose();
            return bytes;
        }));
        Console.WriteLine(counts.Sum());
        return 0;
    }
}
