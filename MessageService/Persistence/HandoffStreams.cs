using StackExchange.Redis;

namespace RealtimeAspire.MessageService.Persistence;

/// <summary>The Redis side of the hand-off: consumer groups, acknowledgement, and the backlog.</summary>
public static class HandoffStreams
{
    public static async Task EnsureGroupsAsync(IDatabase db)
    {
        for (var partition = 0; partition < RedisKeys.PartitionCount; partition++)
        {
            try
            {
                // From the stream's start: entries written before the group existed are stored too.
                await db.StreamCreateConsumerGroupAsync(RedisKeys.Handoff(partition), RedisKeys.HandoffConsumerGroup, "0-0", createStream: true);
            }
            catch (RedisServerException e) when (e.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
            {
                // Another replica (or an earlier run) created it.
            }
        }
    }

    /// <summary>
    /// Acknowledges and deletes stored entries in one transaction per stream, so the streams hold exactly
    /// the entries not yet stored.
    /// </summary>
    public static async Task AcknowledgeAsync(IDatabase db, IEnumerable<HandoffEntry> entries)
    {
        var acknowledgements = entries
            .GroupBy(entry => entry.Partition)
            .Select(partition =>
            {
                var key = RedisKeys.Handoff(partition.Key);
                var ids = partition.Select(entry => entry.Id).ToArray();
                var transaction = db.CreateTransaction();
                _ = transaction.StreamAcknowledgeAsync(key, RedisKeys.HandoffConsumerGroup, ids);
                _ = transaction.StreamDeleteAsync(key, ids);
                return transaction.ExecuteAsync();
            })
            .ToArray();

        await Task.WhenAll(acknowledgements);
    }

    /// <summary>
    /// Forgets consumers that have been silent for <paramref name="minIdle"/> and hold nothing pending: every restart
    /// of a replica adds a consumer name, and the group's list must not grow without end. Live consumers poll
    /// constantly, and a consumer with pending entries is left to <c>XAUTOCLAIM</c>.
    /// </summary>
    public static async Task<int> RemoveIdleConsumersAsync(IDatabase db, TimeSpan minIdle)
    {
        var removed = 0;
        for (var partition = 0; partition < RedisKeys.PartitionCount; partition++)
        {
            var key = RedisKeys.Handoff(partition);
            var consumers = await db.StreamConsumerInfoAsync(key, RedisKeys.HandoffConsumerGroup);
            foreach (var consumer in consumers.Where(c => c.PendingMessageCount == 0 && c.IdleTimeInMilliseconds >= minIdle.TotalMilliseconds))
            {
                await db.StreamDeleteConsumerAsync(key, RedisKeys.HandoffConsumerGroup, consumer.Name);
                removed++;
            }
        }

        return removed;
    }

    /// <summary>The entries not yet stored, over all partitions, and when the oldest of them was written.</summary>
    public static async Task<(long Entries, DateTimeOffset? Oldest)> MeasureBacklogAsync(IDatabase db)
    {
        var lengths = new Task<long>[RedisKeys.PartitionCount];
        var firsts = new Task<StreamEntry[]>[RedisKeys.PartitionCount];
        for (var partition = 0; partition < RedisKeys.PartitionCount; partition++)
        {
            lengths[partition] = db.StreamLengthAsync(RedisKeys.Handoff(partition));
            firsts[partition] = db.StreamRangeAsync(RedisKeys.Handoff(partition), "-", "+", count: 1);
        }

        var entries = (await Task.WhenAll(lengths)).Sum();
        var oldest = (await Task.WhenAll(firsts))
            .Where(first => first.Length > 0)
            .Select(first => WrittenAt(first[0].Id))
            .DefaultIfEmpty()
            .Min();

        return (entries, entries == 0 ? null : oldest);
    }

    /// <summary>An auto-generated stream id starts with the Unix milliseconds of its XADD.</summary>
    public static DateTimeOffset WrittenAt(RedisValue id)
    {
        var text = id.ToString();
        var dash = text.IndexOf('-');
        return long.TryParse(dash < 0 ? text : text[..dash], out var milliseconds)
            ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds)
            : DateTimeOffset.UtcNow;
    }
}
