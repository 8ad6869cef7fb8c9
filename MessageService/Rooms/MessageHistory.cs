using Microsoft.EntityFrameworkCore;
using RealtimeAspire.Contracts.Frames;
using RealtimeAspire.MessageService.Data;

namespace RealtimeAspire.MessageService.Rooms;

/// <summary>
/// Pages of a room's stored messages, always ascending by seq; each page is one range scan of the (room, seq) key (of
/// its partial index over messages only, when events are left out).
/// </summary>
public static class MessageHistory
{
    /// <summary>
    /// With <paramref name="before"/>: the page that ends just before it (and after <paramref name="after"/>, if given).
    /// With only <paramref name="after"/>: the page that starts just after it. With neither: the latest page.
    /// </summary>
    public static async Task<List<StoredMessage>> PageAsync(
        MessagesDbContext db, string room, long? after, long? before, int limit, bool events, CancellationToken cancellationToken)
    {
        var messages = db.Messages.AsNoTracking().Where(m => m.Room == room);
        if (!events)
        {
            messages = messages.Where(m => m.Kind == FrameTypes.Message);
        }

        if (after is { } afterSeq)
        {
            messages = messages.Where(m => m.Seq > afterSeq);
        }

        if (before is { } beforeSeq)
        {
            messages = messages.Where(m => m.Seq < beforeSeq);
        }

        if (after is not null && before is null)
        {
            return await messages.OrderBy(m => m.Seq).Take(limit).ToListAsync(cancellationToken);
        }

        var latestFirst = await messages.OrderByDescending(m => m.Seq).Take(limit).ToListAsync(cancellationToken);
        latestFirst.Reverse();
        return latestFirst;
    }

    /// <summary>Every stored row of the given messages: the messages and the events about them (the (room, messageId) index).</summary>
    public static Task<List<StoredMessage>> RowsOfAsync(MessagesDbContext db, string room, IReadOnlyCollection<Guid> messageIds, CancellationToken cancellationToken) =>
        messageIds.Count == 0
            ? Task.FromResult(new List<StoredMessage>())
            : db.Messages.AsNoTracking().Where(m => m.Room == room && messageIds.Contains(m.MessageId)).ToListAsync(cancellationToken);

    /// <summary>The latest seq of the room's sequence: messages and events alike (a re-seeded counter must pass both).</summary>
    public static async Task<long> LastSeqAsync(MessagesDbContext db, string room, CancellationToken cancellationToken) =>
        await db.Messages.Where(m => m.Room == room).MaxAsync(m => (long?)m.Seq, cancellationToken) ?? 0;
}
