using System.Diagnostics;
using RealtimeAspire.Client;

namespace RealtimeAspire.Bench;

/// <summary>
/// Opens and joins N clients with the shared load generator's layout: connection i joins room i % R and goes to
/// server ((i % R) + i / R) % servers, so every room has members on every server.
/// </summary>
internal sealed class BenchConnections(IReadOnlyList<Uri> urls, BenchUsers users, int userCount) : IAsyncDisposable
{
    private readonly List<RealtimeClient> _clients = [];

    public RealtimeClient?[] Clients { get; private set; } = [];

    public static string Room(int room) => $"room-{room}";

    public async Task<ConnectResult> OpenAsync(int count, int rooms, int concurrency, Action<RealtimeClient, int>? configure, CancellationToken cancellationToken)
    {
        Clients = new RealtimeClient?[count];
        var errors = new Dictionary<string, int>();
        var next = -1;
        var ok = 0;
        var stopwatch = Stopwatch.StartNew();
        async Task Worker()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count && !cancellationToken.IsCancellationRequested)
            {
                var url = urls[((i % rooms) + (i / rooms)) % urls.Count];
                var client = new RealtimeClient(new RealtimeClientOptions { Url = url, TokenProvider = users.TokenProvider(i % userCount) });
                lock (_clients)
                {
                    _clients.Add(client);
                }

                try
                {
                    configure?.Invoke(client, i);
                    await client.ConnectAsync(cancellationToken);
                    await client.JoinAsync(Room(i % rooms), cancellationToken);
                    Clients[i] = client;
                    if (Interlocked.Increment(ref ok) % 1000 == 0)
                    {
                        Console.Error.WriteLine($"[bench] connected+joined {ok}/{count}");
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    var key = e.Message.Length > 80 ? e.Message[..80] : e.Message;
                    lock (errors)
                    {
                        errors[key] = errors.GetValueOrDefault(key) + 1;
                    }
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Math.Min(concurrency, count)).Select(_ => Task.Run(Worker, cancellationToken)));
        var seconds = stopwatch.Elapsed.TotalSeconds;
        return new ConnectResult(ok, count - ok, Math.Round(seconds, 2), Math.Round(ok / seconds, 1), errors);
    }

    public async ValueTask DisposeAsync()
    {
        RealtimeClient[] clients;
        lock (_clients)
        {
            clients = [.. _clients];
        }

        foreach (var chunk in clients.Chunk(200))
        {
            await Task.WhenAll(chunk.Select(c => c.DisposeAsync().AsTask()));
        }
    }
}

internal sealed record ConnectResult(int Ok, int Failed, double Secs, double PerSec, Dictionary<string, int> Errors);
