using System.Collections.Concurrent;
using RealtimeAspire.Client;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Reliability;

/// <summary>
/// Clients of different users, spread over both replicas through the Gateway, in one room, each sending one
/// message per interval with its own ids. A message is sent until acked: the client resends it across reconnects
/// and after <c>unavailable</c>, and when the client gives up (its request timeout) the run sends it again with the
/// same id, until the run's deadline.
/// </summary>
public sealed class SteadyTraffic : IAsyncDisposable
{
    public static readonly string[] Replicas = ["connection-service-1", "connection-service-2"];

    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(90);

    /// <summary>How long after the traffic stops a message still waiting for its ack is sent again.</summary>
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(90);

    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);
    private readonly List<Task> _senders = [];
    private DateTimeOffset _giveUpAt = DateTimeOffset.MaxValue;

    private SteadyTraffic(string scenario, string room, IReadOnlyList<TrafficClient> clients)
    {
        Scenario = scenario;
        Room = room;
        Clients = clients;
    }

    public string Scenario { get; }

    public string Room { get; }

    public IReadOnlyList<TrafficClient> Clients { get; }

    public DateTimeOffset StartedAt { get; private set; }

    public DateTimeOffset? FaultAt { get; private set; }

    public DateTimeOffset? RestoredAt { get; private set; }

    /// <summary>From the fault until every client was acknowledged again (see <see cref="WaitForRecoveryAsync"/>).</summary>
    public TimeSpan? Recovery { get; private set; }

    /// <summary>Why sends failed before their ack (exception type or error code) and how often.</summary>
    public IReadOnlyDictionary<string, int> Failures => _failures;

    public IEnumerable<SentMessage> Sent => Clients.SelectMany(c => c.Sent);

    /// <summary>Connects the clients (half on each replica), joins them to a fresh room and starts sending.</summary>
    public static async Task<SteadyTraffic> StartAsync(RealtimeAppFixture fixture, string scenario, int? clientCount = null)
    {
        var room = $"fault-{scenario}-{Guid.NewGuid():N}";
        using var gateway = fixture.CreateGatewayClient();
        var clients = new List<TrafficClient>();
        try
        {
            for (var i = 0; i < (clientCount ?? FaultRunSettings.Clients); i++)
            {
                var user = await RealtimeTestClient.CreateUserAsync(gateway, $"f{i}");
                clients.Add(await ConnectToAsync(fixture.GatewayUri, Replicas[i % Replicas.Length], i, user, room));
            }

            foreach (var client in clients)
            {
                await client.Client.JoinAsync(room).WaitAsync(ConnectTimeout);
            }
        }
        catch
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }

            throw;
        }

        var traffic = new SteadyTraffic(scenario, room, clients) { StartedAt = DateTimeOffset.UtcNow };
        foreach (var client in clients)
        {
            traffic._senders.Add(traffic.SendSteadilyAsync(client));
        }

        return traffic;
    }

    /// <summary>Marks the moment the fault took effect: recovery is measured from here.</summary>
    public void FaultInjected() => FaultAt = DateTimeOffset.UtcNow;

    /// <summary>Marks the moment the system was whole again.</summary>
    public void Restored() => RestoredAt = DateTimeOffset.UtcNow;

    /// <summary>
    /// Waits until every client has an ack for a message it first sent after the fault: the clients send and are
    /// acknowledged again. Returns the time from the fault to that moment.
    /// </summary>
    public async Task<TimeSpan> WaitForRecoveryAsync(TimeSpan timeout)
    {
        var faultAt = FaultAt ?? throw new InvalidOperationException("No fault was injected.");
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var firstAcks = Clients.Select(c => c.Sent.Where(m => m.FirstSentAt >= faultAt && m.AckedAt is not null)
                .Select(m => m.AckedAt!.Value).DefaultIfEmpty(DateTimeOffset.MaxValue).Min()).ToList();
            if (firstAcks.All(at => at != DateTimeOffset.MaxValue))
            {
                Recovery = firstAcks.Max() - faultAt;
                return Recovery.Value;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"{firstAcks.Count(at => at == DateTimeOffset.MaxValue)} of {Clients.Count} clients got no ack within {timeout} after the fault.");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Stops sending new messages and waits until every message is acked or the run gives up on it.</summary>
    public async Task StopAsync()
    {
        _giveUpAt = DateTimeOffset.UtcNow + GiveUpAfter;
        await _stop.CancelAsync();
        await Task.WhenAll(_senders).WaitAsync(GiveUpAfter + TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            _giveUpAt = DateTimeOffset.UtcNow;
            await _stop.CancelAsync();
        }

        foreach (var client in Clients)
        {
            await client.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15));
        }

        _stop.Dispose();
    }

    private static async Task<TrafficClient> ConnectToAsync(Uri gatewayUri, string replica, int index, TestUser user, string room)
    {
        // The Gateway places a client without an affinity cookie itself: connect until one lands on the replica.
        var deadline = DateTimeOffset.UtcNow + ConnectTimeout;
        var landedOn = new List<string?>();
        while (DateTimeOffset.UtcNow < deadline)
        {
            var client = new RealtimeClient(new RealtimeClientOptions
            {
                Url = gatewayUri,
                TokenProvider = _ => ValueTask.FromResult(user.AccessToken),
                ReconnectBaseDelay = TimeSpan.FromMilliseconds(100),
                ReconnectMaxDelay = TimeSpan.FromSeconds(2),
            });
            try
            {
                await client.ConnectAsync().WaitAsync(TimeSpan.FromSeconds(15));
                var traffic = TrafficClient.Create(index, user, client, room);
                if (traffic.Replica == replica)
                {
                    return traffic;
                }

                landedOn.Add(traffic.Replica);
            }
            catch (Exception e) when (e is TimeoutException or RealtimeClosedException or System.Net.WebSockets.WebSocketException)
            {
                landedOn.Add(e.GetType().Name);
            }

            await client.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15));
            await Task.Delay(100);
        }

        throw new TimeoutException($"No client landed on {replica} within {ConnectTimeout}: {string.Join(", ", landedOn)}");
    }

    private async Task SendSteadilyAsync(TrafficClient client)
    {
        var inFlight = new List<Task>();
        try
        {
            // The clients send in turn, spread over the interval, not all at the same instant.
            await Task.Delay(FaultRunSettings.SendInterval * client.Index / Clients.Count, _stop.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        for (var n = 1; !_stop.IsCancellationRequested; n++)
        {
            var message = new SentMessage(client.Index, Guid.CreateVersion7().ToString(), $"{Scenario} c{client.Index} #{n}", DateTimeOffset.UtcNow);
            client.Sent.Enqueue(message);
            inFlight.Add(SendUntilAckedAsync(client, message));
            try
            {
                await Task.Delay(FaultRunSettings.SendInterval, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await Task.WhenAll(inFlight);
    }

    private async Task SendUntilAckedAsync(TrafficClient client, SentMessage message)
    {
        while (true)
        {
            message.Attempts++;
            TimeSpan retryAfter;
            try
            {
                var ack = await client.Client.SendAsync(client.Room, message.Content, message.Id).WaitAsync(TimeSpan.FromSeconds(30));
                message.Acked(ack, DateTimeOffset.UtcNow);
                return;
            }
            catch (RealtimeErrorException e)
            {
                _failures.AddOrUpdate(e.Code, 1, (_, count) => count + 1);
                retryAfter = TimeSpan.FromMilliseconds(e.Error.RetryAfterMs ?? 500);
            }
            catch (Exception e) when (e is TimeoutException or IOException or System.Net.WebSockets.WebSocketException)
            {
                _failures.AddOrUpdate(e.GetType().Name, 1, (_, count) => count + 1);
                retryAfter = TimeSpan.FromMilliseconds(500);
            }
            catch (RealtimeClosedException)
            {
                // The client stopped for good: the message stays unacked and the accounting reports it.
                _failures.AddOrUpdate(nameof(RealtimeClosedException), 1, (_, count) => count + 1);
                return;
            }

            if (DateTimeOffset.UtcNow + retryAfter > _giveUpAt)
            {
                return;
            }

            await Task.Delay(retryAfter);
        }
    }
}
