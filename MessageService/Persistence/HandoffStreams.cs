using RealtimeAspire.MessageService.Data;
using StackExchange.Redis;

namespace RealtimeAspire.MessageService.Persistence;

/// <summary>The Redis side of the hand-off: consumer groups, acknowledgement, and the backlog.</summary>
public static class HandoffStreams
{
    public static async Task EnsureGroupsAsync(IDatabase db)
    {
        for (var partition = 0; partition < RedisSchema.Partitions; partition++)
        {
            try
            {
                // From the stream's start: entries written before the group existed are stored too.
                await db.StreamCreateConsumerGroupAsync(RedisSchema.Handoff(partition), RedisSchema.HandoffConsumerGroup, "0-0", createStream: true);
            }
            catch (RedisServerException e) when (e.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
            {
                // Another replica (or an earlier run) created it.
            }
        }
    }

    /// <summary>
    /// Acknowledges and deletes stored entries in one transaction per stream, so the streams hold exactly
    /// the entries not yet stored, and takes their seqs off their rooms' unstored sets in the same step.
    /// </summary>
    public static async Task AcknowledgeAsync(IDatabase db, IEnumerable<HandoffEntry> entries)
    {
        var acknowledgements = entries
            .GroupBy(entry => entry.Partition)
            .Select(partition =>
            {
                var key = RedisSchema.Handoff(partition.Key);
                var ids = partition.Select(entry => entry.Id).ToArray();
                var transaction = db.CreateTransaction();
                _ = transaction.StreamAcknowledgeAsync(key, RedisSchema.HandoffConsumerGroup, ids);
                _ = transaction.StreamDeleteAsync(key, ids);
                foreach (var room in partition.Where(entry => entry.Message is not null).GroupBy(entry => entry.Message!.Room))
                {
                    _ = transaction.SortedSetRemoveAsync(RedisSchema.Unstored(room.Key), [.. room.Select(entry => (RedisValue)entry.Message!.Seq)]);
                }

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
        for (var partition = 0; partition < RedisSchema.Partitions; partition++)
        {
            var key = RedisSchema.Handoff(partition);
            var consumers = await db.StreamConsumerInfoAsync(key, RedisSchema.HandoffConsumerGroup);
            foreach (var consumer in consumers.Where(c => c.PendingMessageCount == 0 && c.IdleTimeInMilliseconds >= minIdle.TotalMilliseconds))
            {
                await db.StreamDeleteConsumerAsync(key, RedisSchema.HandoffConsumerGroup, consumer.Name);
                removed++;
            }
        }

        return removed;
    }

    /// <summary>
    /// The room's acknowledged messages that may not be stored yet: the seqs of its unstored set, read from its recent
    /// stream. Null when more than <paramref name="maxEntries"/> wait, or when the recent stream lacks one of them (trimmed
    /// past it, or Redis lost it): then only the partition's hand-off stream knows them.
    /// </summary>
    public static async Task<List<StoredMessage>?> ReadUnstoredFromRecentAsync(IDatabase db, string room, int maxEntries)
    {
        var seqs = await db.SortedSetRangeByRankAsync(RedisSchema.Unstored(room), 0, maxEntries);
        if (seqs.Length == 0 || seqs.Length > maxEntries)
        {
            return seqs.Length == 0 ? [] : null;
        }

        var wanted = seqs.Select(seq => (long)seq).ToHashSet();
        var entries = await db.StreamRangeAsync(RedisSchema.Recent(room), $"{wanted.Min()}-0", $"{wanted.Max()}-1");
        var messages = entries
            .Select(entry => HandoffEntry.ParseMessage(entry[RedisSchema.FrameField]))
            .OfType<StoredMessage>()
            .Where(message => message.Room == room && wanted.Contains(message.Seq))
            .ToList();
        return messages.Count == wanted.Count ? messages : null;
    }

    /// <summary>
    /// The messages of <paramref name="room"/> still in its partition's hand-off stream: acknowledged to their
    /// senders and maybe not yet stored (an entry leaves the stream only after its batch is committed). Null when the
    /// stream holds more than <paramref name="maxEntries"/>: storage is that far behind, and reading it all would not pay.
    /// </summary>
    public static async Task<List<StoredMessage>?> ReadUnstoredAsync(IDatabase db, string room, int maxEntries)
    {
        var entries = await db.StreamRangeAsync(RedisSchema.Handoff(RedisSchema.Partition(room)), "-", "+", count: maxEntries + 1);
        if (entries.Length > maxEntries)
        {
            return null;
        }

        var messages = new List<StoredMessage>();
        foreach (var entry in entries)
        {
            // The frame carries the room id verbatim (its characters need no JSON escaping): most entries are skipped unparsed.
            var frame = entry[RedisSchema.FrameField];
            if (!frame.IsNullOrEmpty && ((string)frame!).Contains(room, StringComparison.Ordinal)
                && HandoffEntry.ParseMessage(frame) is { } message && message.Room == room)
            {
                messages.Add(message);
            }
        }

        return messages;
    }

    /// <summary>The entries not yet stored, over all partitions, and when the oldest of them was written.</summary>
    public static async Task<(long Entries, DateTimeOffset? Oldest)> MeasureBacklogAsync(IDatabase db)
    {
        var lengths = new Task<long>[RedisSchema.Partitions];
        var firsts = new Task<StreamEntry[]>[RedisSchema.Partitions];
        for (var partition = 0; partition < RedisSchema.Partitions; partition++)
        {
            lengths[partition] = db.StreamLengthAsync(RedisSchema.Handoff(partition));
            firsts[partition] = db.StreamRangeAsync(RedisSchema.Handoff(partition), "-", "+", count: 1);
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
