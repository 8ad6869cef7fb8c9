using System.Net.Http.Json;
using RealtimeAspire.Contracts;
using RealtimeAspire.MessageService;
using RealtimeAspire.MessageService.Persistence;
using RealtimeAspire.MessageService.Rooms;
using RealtimeAspire.Tests.Infrastructure;
using StackExchange.Redis;

namespace RealtimeAspire.Tests.Messages;

[Collection(RealtimeAppCollection.Name)]
public sealed class HandoffPersistenceTests(RealtimeAppFixture fixture)
{
    private static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Every_handoff_entry_is_stored_exactly_once_even_when_handed_off_twice()
    {
        await using var kit = await MessagesTestKit.CreateAsync(fixture);
        var room = MessagesTestKit.NewRoom("stored");
        var ids = new List<RedisValue>();

        for (var seq = 1; seq <= 200; seq++)
        {
            ids.Add(await kit.HandOffAsync(room, seq).WaitAsync(MessagesTestKit.Timeout));
        }

        // A resend after a lost acknowledgement: the same (room, seq) handed off again.
        for (var seq = 1; seq <= 50; seq++)
        {
            ids.Add(await kit.HandOffAsync(room, seq, "a duplicate that must not replace the original").WaitAsync(MessagesTestKit.Timeout));
        }

        await kit.WaitForStoredAsync([room], 200, StoreTimeout);
        await WaitUntilRemovedAsync(kit, room, ids);
        var stored = await kit.StoredAsync(room);

        Assert.Equal(Enumerable.Range(1, 200).Select(seq => (long)seq), stored.Select(m => m.Seq));
        Assert.All(stored, m => Assert.Equal($"message {m.Seq}", m.Content));
        foreach (var id in ids)
        {
            Assert.False(await kit.IsInHandoffAsync(room, id), $"entry {id} is still in the hand-off stream");
        }
    }

    [Fact]
    public async Task Entries_a_crashed_consumer_left_pending_are_claimed_and_stored_once()
    {
        await using var kit = await MessagesTestKit.CreateAsync(fixture);
        var room = MessagesTestKit.NewRoom("claimed");
        var key = RedisKeys.Handoff(RedisKeys.Partition(room));
        var crashed = $"crashed-{Guid.NewGuid():N}";

        // Hand off and read as a consumer that then dies, in one transaction so that MessageService cannot read first.
        var transaction = kit.Db.CreateTransaction();
        var adds = Enumerable.Range(1, 40).Select(seq => MessagesTestKit.HandOffAsync(transaction, room, MessagesTestKit.Frame(room, seq))).ToList();
        var read = transaction.StreamReadGroupAsync(key, RedisKeys.HandoffConsumerGroup, crashed, StreamPosition.NewMessages, 1000);
        Assert.True(await transaction.ExecuteAsync().WaitAsync(MessagesTestKit.Timeout));
        var ids = (await Task.WhenAll(adds)).ToHashSet();
        Assert.Superset(ids, (await read).Select(entry => entry.Id).ToHashSet());

        var (backlog, oldest) = await kit.BacklogAsync();
        Assert.True(backlog >= 40, $"backlog {backlog}");
        Assert.NotNull(oldest);
        Assert.True(await PendingForAsync(kit, key, crashed) >= 40);

        var count = await kit.WaitForStoredAsync([room], 40, StoreTimeout);

        Assert.Equal(40, count);
        Assert.Equal(Enumerable.Range(1, 40).Select(seq => (long)seq), (await kit.StoredAsync(room)).Select(m => m.Seq));
        await WaitUntilRemovedAsync(kit, room, ids);
        Assert.Equal(0, await PendingForAsync(kit, key, crashed));
    }

    [Fact]
    public async Task Last_seq_is_served_internally_from_the_stored_messages()
    {
        await using var kit = await MessagesTestKit.CreateAsync(fixture);
        var room = MessagesTestKit.NewRoom("last-seq");
        using var messageService = fixture.App.CreateHttpClient("message-service", "http");

        var before = await messageService.GetFromJsonAsync<LastSeqResponse>($"/internal/rooms/{room}/last-seq").WaitAsync(MessagesTestKit.Timeout);
        foreach (var seq in new[] { 1, 2, 3, 5 })
        {
            await kit.HandOffAsync(room, seq).WaitAsync(MessagesTestKit.Timeout);
        }

        await kit.WaitForStoredAsync([room], 4, StoreTimeout);
        var after = await messageService.GetFromJsonAsync<LastSeqResponse>($"/internal/rooms/{room}/last-seq").WaitAsync(MessagesTestKit.Timeout);

        Assert.Equal(new LastSeqResponse(room, 0), before);
        Assert.Equal(new LastSeqResponse(room, 5), after);
    }

    [Fact]
    public async Task Persistence_lag_and_batches_are_exported_as_metrics()
    {
        await using var kit = await MessagesTestKit.CreateAsync(fixture);
        var room = MessagesTestKit.NewRoom("metrics");
        await kit.HandOffAsync(room, 1).WaitAsync(MessagesTestKit.Timeout);
        await kit.WaitForStoredAsync([room], 1, StoreTimeout);
        using var messageService = fixture.App.CreateHttpClient("message-service", "http");

        var metrics = await messageService.GetStringAsync("/metrics").WaitAsync(MessagesTestKit.Timeout);

        Assert.Contains("messages_persistence_backlog", metrics);
        Assert.Contains("messages_persistence_backlog_oldest_age_seconds", metrics);
        Assert.Contains("messages_persistence_batch_size_bucket", metrics);
        Assert.Contains("messages_persistence_store_duration_milliseconds_bucket", metrics);
        Assert.Contains("messages_persistence_stored_total", metrics);
    }

    [Fact]
    public async Task Idle_consumers_are_forgotten_unless_they_hold_pending_entries()
    {
        await using var kit = await MessagesTestKit.CreateAsync(fixture);
        var room = MessagesTestKit.NewRoom("idle-consumers");
        var key = RedisKeys.Handoff(RedisKeys.Partition(room));
        var idle = $"restarted-{Guid.NewGuid():N}";
        var holding = $"crashed-{Guid.NewGuid():N}";
        await kit.Db.ExecuteAsync("XGROUP", "CREATECONSUMER", key, RedisKeys.HandoffConsumerGroup, idle).WaitAsync(MessagesTestKit.Timeout);
        var transaction = kit.Db.CreateTransaction();
        _ = MessagesTestKit.HandOffAsync(transaction, room, MessagesTestKit.Frame(room, 1));
        _ = transaction.StreamReadGroupAsync(key, RedisKeys.HandoffConsumerGroup, holding, StreamPosition.NewMessages, 1000);
        Assert.True(await transaction.ExecuteAsync().WaitAsync(MessagesTestKit.Timeout));
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        await HandoffStreams.RemoveIdleConsumersAsync(kit.Db, TimeSpan.FromSeconds(1)).WaitAsync(MessagesTestKit.Timeout);
        var consumers = (await kit.Db.StreamConsumerInfoAsync(key, RedisKeys.HandoffConsumerGroup).WaitAsync(MessagesTestKit.Timeout)).Select(c => (string)c.Name!).ToList();

        Assert.DoesNotContain(idle, consumers);
        Assert.Contains(holding, consumers);
        Assert.Equal(1, await kit.WaitForStoredAsync([room], 1, StoreTimeout));
    }

    private static async Task<long> PendingForAsync(MessagesTestKit kit, string key, string consumer)
    {
        var consumers = await kit.Db.StreamConsumerInfoAsync(key, RedisKeys.HandoffConsumerGroup).WaitAsync(MessagesTestKit.Timeout);
        return consumers.Where(c => c.Name == consumer).Sum(c => (long)c.PendingMessageCount);
    }

    private static async Task WaitUntilRemovedAsync(MessagesTestKit kit, string room, IEnumerable<RedisValue> ids)
    {
        // Removal follows the commit by a moment; the stored rows may be visible just before it.
        foreach (var id in ids)
        {
            var deadline = DateTimeOffset.UtcNow + MessagesTestKit.Timeout;
            while (await kit.IsInHandoffAsync(room, id) && DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
