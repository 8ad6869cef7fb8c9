using Microsoft.Extensions.Options;
using RealtimeAspire.Contracts.Frames;
using RealtimeAspire.MessageService.Data;
using RealtimeAspire.MessageService.Persistence;
using StackExchange.Redis;

namespace RealtimeAspire.MessageService.Rooms;

/// <summary>
/// History as every sender's ack promises it: PostgreSQL merged with the room's acknowledged messages not stored yet.
/// The script that assigns a message its seq also puts the seq in the room's unstored set; MessageService takes it out
/// with the hand-off entry, after the batch has committed. Redis is read first, then PostgreSQL, so a message missing
/// from the first read is already visible to the second.
/// </summary>
public sealed class HistoryReader(MessagesDbContext db, IConnectionMultiplexer redis, IOptions<HistoryOptions> options)
{
    /// <summary>The page of <see cref="MessageHistory.PageAsync"/>, with every message acknowledged before the call.</summary>
    public async Task<List<MessageFrame>> PageAsync(string room, long? after, long? before, int limit, CancellationToken cancellationToken)
    {
        var unstored = (await ReadUnstoredAsync(room, cancellationToken))
            .Where(m => (after is null || m.Seq > after) && (before is null || m.Seq < before));
        var stored = await MessageHistory.PageAsync(db, room, after, before, limit, cancellationToken);

        // Each source holds its own first (or last) `limit` of the range, so the merged page's are among them.
        var merged = stored.Concat(unstored).DistinctBy(m => m.Seq).OrderBy(m => m.Seq).ToList();
        var page = after is not null && before is null ? merged.Take(limit) : merged.TakeLast(limit);
        return [.. page.Select(StoredMessageFrames.From)];
    }

    /// <summary>The room's latest acknowledged seq (0 when none), stored or not.</summary>
    public async Task<long> LastSeqAsync(string room, CancellationToken cancellationToken)
    {
        var unstored = await ReadUnstoredAsync(room, cancellationToken);
        var stored = await MessageHistory.LastSeqAsync(db, room, cancellationToken);
        return Math.Max(stored, unstored.Count == 0 ? 0 : unstored.Max(m => m.Seq));
    }

    /// <summary>From the room's recent stream (a range read); when that lacks some, from the partition's whole hand-off stream.</summary>
    private async Task<List<StoredMessage>> ReadUnstoredAsync(string room, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var max = options.Value.MaxUnstoredEntries;
        return await HandoffStreams.ReadUnstoredFromRecentAsync(db, room, max).WaitAsync(cancellationToken)
            ?? await HandoffStreams.ReadUnstoredAsync(db, room, max).WaitAsync(cancellationToken)
            ?? throw new StorageUnavailableException($"Storage is catching up: over {options.Value.MaxUnstoredEntries} messages wait in the hand-off of room '{room}'.");
    }
}
