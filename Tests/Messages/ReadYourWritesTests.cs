using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RealtimeAspire.Contracts;
using RealtimeAspire.Contracts.Frames;
using RealtimeAspire.MessageService;
using RealtimeAspire.MessageService.Rooms;
using RealtimeAspire.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RealtimeAspire.Tests.Messages;

/// <summary>
/// The contract's consistency (protocol "Consistency"): once a sender holds the ack, every history read and the
/// internal last-seq return that message, with the fields of the live frame, and no page has a hole.
/// </summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class ReadYourWritesTests(RealtimeAppFixture fixture, ITestOutputHelper output)
{
    // Each user may send 100 messages a minute: the load comes from several senders at once.
    private const int Senders = 8;
    private const int PerSender = 90;
    private const int Total = Senders * PerSender;

    // Reads each sender keeps going at once: more only queue up in front of a machine this size.
    private const int ReadsInFlight = 4;

    private static int _unavailable;

    private sealed record Read(long Seq, string MessageId, string Query, long[] Seqs, MessageFrame? Item, long LastSeq);

    [Fact]
    public async Task A_history_read_right_after_each_ack_returns_that_message_as_delivered_under_load()
    {
        var owner = await TestUsers.RegisterAsync(fixture);
        var reader = await TestUsers.RegisterAsync(fixture);
        var senders = new List<ApiUser>();
        var clients = new List<RealtimeTestClient>();
        var room = MessagesTestKit.NewRoom("read-your-writes");
        try
        {
            for (var i = 0; i < Senders; i++)
            {
                senders.Add(await TestUsers.RegisterAsync(fixture));
            }

            // A private room: the reader reads as a member, not the owner.
            var members = senders.Select(s => s.Username).Append(reader.Username).ToArray();
            using (var created = await owner.Client.PostAsJsonAsync("/api/rooms", new { room, visibility = "private", members }).WaitAsync(MessagesTestKit.Timeout))
            {
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            }

            await using var live = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, reader.AsTestUser());
            await live.JoinAsync(room);
            foreach (var sender in senders)
            {
                var client = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, sender.AsTestUser());
                clients.Add(client);
                await client.JoinAsync(room);
            }

            using var internalApi = fixture.App.CreateHttpClient(MessageServiceLifecycle.Resource, "http");
            var reads = new ConcurrentBag<Read>();
            var clock = Stopwatch.StartNew();
            var lastAcks = await Task.WhenAll(clients.Select((client, index) => SendAndReadAsync(client, index, room, reader, internalApi, reads, clock)))
                .WaitAsync(TimeSpan.FromMinutes(3));
            var sending = lastAcks.Max();

            var delivered = new Dictionary<long, MessageFrame>();
            while (delivered.Count < Total)
            {
                var frame = await live.WaitForAsync("message");
                delivered[frame.GetProperty("seq").GetInt64()] = frame.Deserialize<MessageFrame>(JsonSerializerOptions.Web)!;
            }

            output.WriteLine($"{Total} messages acked in {sending.TotalSeconds:0.00} s ({Total / sending.TotalSeconds:0} msg/s), each read back at once; all reads done after {clock.Elapsed.TotalSeconds:0.00} s; {_unavailable} answers were 503 and retried");
            Assert.Equal(Total, reads.Count);
            Assert.Equal(Enumerable.Range(1, Total).Select(seq => (long)seq), delivered.Keys.Order());
            var misses = reads.Where(r => r.Item is null).Select(r => $"{r.Seq} ({r.Query}: [{string.Join(",", r.Seqs)}])").ToList();
            Assert.True(misses.Count == 0, $"{misses.Count} of {Total} reads right after the ack lacked the acked message: {string.Join("; ", misses.Take(10))}");
            Assert.All(reads, r => Assert.Equal(delivered[r.Seq], r.Item));
            Assert.All(reads, r => Assert.Equal(r.MessageId, r.Item!.MessageId));
            Assert.All(reads, r => Assert.Equal(Enumerable.Range((int)r.Seqs[0], r.Seqs.Length).Select(seq => (long)seq), r.Seqs));
            Assert.All(reads, r => Assert.True(r.LastSeq >= r.Seq, $"last-seq {r.LastSeq} right after the ack of {r.Seq}"));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }

            senders.ForEach(sender => sender.Dispose());
            owner.Dispose();
            reader.Dispose();
        }
    }

    /// <summary>
    /// Sends one message after the other; the moment each ack arrives, one history read (after, before or a window)
    /// and last-seq start, while the sender goes on (so the reads keep up with a few hundred messages a second).
    /// Returns when (on <paramref name="clock"/>) its last ack arrived.
    /// </summary>
    private static async Task<TimeSpan> SendAndReadAsync(
        RealtimeTestClient client, int sender, string room, ApiUser reader, HttpClient internalApi, ConcurrentBag<Read> reads, Stopwatch clock)
    {
        var pending = new List<Task>();
        using var inFlight = new SemaphoreSlim(ReadsInFlight);
        for (var i = 0; i < PerSender; i++)
        {
            await inFlight.WaitAsync(MessagesTestKit.Timeout);
            var ack = await client.SendMessageAsync(room, $"sender {sender} #{i}");
            pending.Add(ReadAsync(ack.GetProperty("seq").GetInt64(), ack.GetProperty("messageId").GetString()!, i % 3));
        }

        var lastAck = clock.Elapsed;
        await Task.WhenAll(pending).WaitAsync(MessagesTestKit.Timeout);
        return lastAck;

        async Task ReadAsync(long seq, string messageId, int kind)
        {
            var query = kind switch
            {
                0 => $"after={seq - 1}&limit=1",
                1 => $"before={seq + 1}&limit=1",
                _ => $"after={Math.Max(0, seq - 30)}&limit=200",
            };

            try
            {
                var page = GetAsync<MessagesPage>(reader.Client, $"/api/rooms/{room}/messages?{query}");
                var lastSeq = GetAsync<LastSeqResponse>(internalApi, $"/internal/rooms/{room}/last-seq");
                await Task.WhenAll(page, lastSeq).WaitAsync(TimeSpan.FromMinutes(1));

                var messages = (await page).Messages;
                reads.Add(new Read(seq, messageId, query, [.. messages.Select(m => m.Seq)], messages.FirstOrDefault(m => m.Seq == seq), (await lastSeq).LastSeq));
            }
            finally
            {
                inFlight.Release();
            }
        }
    }

    /// <summary>
    /// A GET as a client does it: a 503 (which the contract allows while storage cannot answer, e.g. on a machine too
    /// busy to answer in time) is counted and retried after its Retry-After; any other failure fails the test.
    /// </summary>
    private static async Task<T> GetAsync<T>(HttpClient client, string path)
    {
        while (true)
        {
            using var response = await client.GetAsync(path).WaitAsync(MessagesTestKit.Timeout);
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
            {
                response.EnsureSuccessStatusCode();
                return (await response.Content.ReadFromJsonAsync<T>(JsonSerializerOptions.Web).WaitAsync(MessagesTestKit.Timeout))!;
            }

            Interlocked.Increment(ref _unavailable);
            await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
        }
    }
}
