using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RealtimeAspire.MessageService.Persistence;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Messages;

/// <summary>The hand-off under failure: MessageService stopped under traffic, and a second consumer sharing the streams.</summary>
[Collection(DisruptiveAppCollection.Name)]
public sealed class ConsumerResilienceTests(RealtimeAppFixture fixture)
{
    private const string MessageService = MessageServiceLifecycle.Resource;
    private static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Messages_handed_off_while_the_service_is_down_are_all_stored_once_after_restart()
    {
        await using var kit = await MessagesTestKit.CreateAsync(fixture);
        var rooms = Enumerable.Range(0, 8).Select(_ => MessagesTestKit.NewRoom("restart")).ToArray();
        using var traffic = new CancellationTokenSource();
        var writer = WriteTrafficAsync(kit, rooms, traffic.Token);

        int storedWhileDown, storedLaterWhileDown;
        long backlogWhileDown;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            await MessageServiceLifecycle.StopAsync(fixture);

            storedWhileDown = await kit.StoredCountAsync(rooms);
            await Task.Delay(TimeSpan.FromSeconds(2));
            storedLaterWhileDown = await kit.StoredCountAsync(rooms);
            (backlogWhileDown, _) = await kit.BacklogAsync();
        }
        finally
        {
            // The shared app must keep its MessageService, whatever happened above.
            await MessageServiceLifecycle.StartAsync(fixture);
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        await traffic.CancelAsync();
        var lastSeq = await writer.WaitAsync(MessagesTestKit.Timeout);
        var count = await kit.WaitForStoredAsync(rooms, lastSeq * rooms.Length, StoreTimeout);

        Assert.Equal(storedWhileDown, storedLaterWhileDown);
        Assert.True(backlogWhileDown > 0, "nothing waited in Redis while MessageService was down");
        Assert.True(lastSeq > 100, $"too little traffic: {lastSeq} messages per room");
        Assert.Equal(lastSeq * rooms.Length, count);
        foreach (var room in rooms)
        {
            Assert.Equal(Enumerable.Range(1, lastSeq).Select(seq => (long)seq), (await kit.StoredAsync(room)).Select(m => m.Seq));
        }
    }

    [Fact]
    public async Task Two_consumers_share_the_streams_and_store_every_message_once()
    {
        await using var kit = await MessagesTestKit.CreateAsync(fixture);
        var rooms = Enumerable.Range(0, 16).Select(_ => MessagesTestKit.NewRoom("shared")).ToArray();
        var storedByService = await ScrapeStoredTotalAsync();
        long storedBySecond = 0;
        using var listener = ListenToStored(value => Interlocked.Add(ref storedBySecond, value));

        using var second = BuildSecondConsumer(kit);
        await second.StartAsync().WaitAsync(MessagesTestKit.Timeout);
        try
        {
            // Bursts with pauses, so both consumers are polling when entries arrive.
            const int bursts = 10, perBurst = 20;
            for (var burst = 0; burst < bursts; burst++)
            {
                var writes = rooms.SelectMany(room => Enumerable.Range(burst * perBurst + 1, perBurst).Select(seq => kit.HandOffAsync(room, seq)));
                await Task.WhenAll(writes).WaitAsync(MessagesTestKit.Timeout);
                await Task.Delay(300);
            }

            var expected = rooms.Length * bursts * perBurst;
            var count = await kit.WaitForStoredAsync(rooms, expected, StoreTimeout);

            Assert.Equal(expected, count);
            foreach (var room in rooms)
            {
                Assert.Equal(Enumerable.Range(1, bursts * perBurst).Select(seq => (long)seq), (await kit.StoredAsync(room)).Select(m => m.Seq));
            }

            Assert.True(Interlocked.Read(ref storedBySecond) > 0, "the second consumer stored nothing");
            Assert.True(await ScrapeStoredTotalAsync() > storedByService, "MessageService stored nothing");
        }
        finally
        {
            await second.StopAsync().WaitAsync(MessagesTestKit.Timeout);
        }
    }

    private static async Task<int> WriteTrafficAsync(MessagesTestKit kit, string[] rooms, CancellationToken stop)
    {
        await Task.Yield();
        var seq = 0;
        while (!stop.IsCancellationRequested)
        {
            seq++;
            await Task.WhenAll(rooms.Select(room => kit.HandOffAsync(room, seq))).WaitAsync(MessagesTestKit.Timeout);
            await Task.Delay(10, CancellationToken.None);
        }

        return seq;
    }

    private async Task<double> ScrapeStoredTotalAsync()
    {
        using var client = fixture.App.CreateHttpClient(MessageService, "http");
        var metrics = await client.GetStringAsync("/metrics").WaitAsync(MessagesTestKit.Timeout);
        return metrics.Split('\n')
            .Where(line => line.StartsWith("messages_persistence_stored_total", StringComparison.Ordinal))
            .Sum(line => double.Parse(line.Split(' ')[^1], CultureInfo.InvariantCulture));
    }

    private static IHost BuildSecondConsumer(MessagesTestKit kit)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = kit.RedisConnectionString,
            ["ConnectionStrings:messagesdb"] = kit.MessagesDbConnectionString,
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddMessagePersistence();
        return builder.Build();
    }

    private static MeterListener ListenToStored(Action<long> stored)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == PersistenceMetrics.MeterName && instrument.Name == "messages.persistence.stored")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => stored(value));
        listener.Start();
        return listener;
    }
}
