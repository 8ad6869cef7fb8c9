using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RealtimeAspire.Contracts;
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
    /// <summary>The page of <see cref="MessageHistory.PageAsync"/>, with every message acknowledged before the call, in its current state.</summary>
    public async Task<List<MessageFrame>> PageAsync(string room, long? after, long? before, int limit, CancellationToken cancellationToken) =>
        [.. (await ReadPageAsync(room, after, before, limit, events: false, cancellationToken)).Messages];

    /// <summary>
    /// A page of the room's messages in their current state; with <paramref name="events"/> the page is a range of
    /// up to <paramref name="limit"/> seqs, messages and the events among them, which come as frames too.
    /// </summary>
    public async Task<MessagesPage> ReadPageAsync(string room, long? after, long? before, int limit, bool events, CancellationToken cancellationToken)
    {
        var unstored = await ReadUnstoredAsync(room, cancellationToken);
        var inRange = unstored.Where(m => (after is null || m.Seq > after) && (before is null || m.Seq < before) && (events || m.IsMessage));
        var stored = await MessageHistory.PageAsync(db, room, after, before, limit, events, cancellationToken);

        // Each source holds its own first (or last) `limit` of the range, so the merged page's are among them.
        var merged = stored.Concat(inRange).DistinctBy(m => m.Seq).OrderBy(m => m.Seq).ToList();
        var page = (after is not null && before is null ? merged.Take(limit) : merged.TakeLast(limit)).ToList();

        var messageIds = page.Select(m => m.MessageId).ToHashSet();
        var rows = (await MessageHistory.RowsOfAsync(db, room, messageIds, cancellationToken))
            .Concat(unstored.Where(m => messageIds.Contains(m.MessageId)))
            .DistinctBy(m => m.Seq)
            .ToList();
        var deleted = rows.Where(m => m.Kind == FrameTypes.MessageDeleted).Select(m => m.MessageId).ToHashSet();
        var messages = page.Where(m => m.IsMessage).Select(m => MessageStates.Current(m, rows)).ToList();
        var roomEvents = events
            ? page.Where(m => !m.IsMessage).Select(m => StoredMessageFrames.FromEvent(m, scrubbed: deleted.Contains(m.MessageId))).ToList()
            : null;
        return new MessagesPage(messages, roomEvents);
    }

    /// <summary>
    /// The message <paramref name="messageId"/> of the room as an edit, delete or reaction of <paramref name="userId"/>
    /// must see it, acknowledged events included; null when the room has no such message.
    /// </summary>
    public async Task<MessageLookup?> LookupAsync(string room, Guid messageId, string userId, CancellationToken cancellationToken)
    {
        var unstored = await ReadUnstoredAsync(room, cancellationToken);
        var rows = (await MessageHistory.RowsOfAsync(db, room, [messageId], cancellationToken))
            .Concat(unstored.Where(m => m.MessageId == messageId))
            .DistinctBy(m => m.Seq)
            .ToList();
        if (rows.FirstOrDefault(m => m.IsMessage) is not { } message)
        {
            return null;
        }

        var ownerId = await db.Rooms.Where(r => r.Id == room).Select(r => r.OwnerId).FirstOrDefaultAsync(cancellationToken);
        var reactions = MessageStates.ReactionsOf(rows).Where(r => r.UserId == userId).Select(r => r.Emoji).ToList();
        return new MessageLookup(room, message.MessageId.ToString(), message.Seq, message.UserId, message.Timestamp,
            rows.Any(m => m.Kind == FrameTypes.MessageDeleted), ownerId, reactions);
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
