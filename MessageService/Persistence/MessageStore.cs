using Microsoft.EntityFrameworkCore;
using RealtimeAspire.Contracts.Frames;
using RealtimeAspire.MessageService.Data;
using RealtimeAspire.MessageService.Webhooks;

namespace RealtimeAspire.MessageService.Persistence;

/// <summary>
/// Writes batches of messages and their events idempotently: a (room, seq) stored before is skipped, never doubled.
/// The <c>message.created</c> webhook events of the new messages commit in the same transaction.
/// </summary>
public sealed class MessageStore(MessagesDbContext db)
{
    /// <summary>
    /// Stores the messages and records their rooms, in one transaction with the scrub of what the batch deletes (a
    /// stored delete never leaves its message's content readable) and with their webhook events; returns how many were new.
    /// </summary>
    public async Task<int> StoreAsync(
        IReadOnlyCollection<StoredMessage> messages, CancellationToken cancellationToken, IReadOnlyDictionary<Guid, string>? traceParents = null)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async token =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(token);
            var stored = await InsertAsync(messages, token);
            var events = messages
                .Where(m => m.Kind == FrameTypes.Message)
                .OrderBy(m => m.Room, StringComparer.Ordinal).ThenBy(m => m.Seq)
                .Select(m => WebhookEventData.MessageCreated(m, traceParents?.GetValueOrDefault(m.MessageId)))
                .ToList();
            await WebhookOutbox.WriteAsync(db, events, token);
            await transaction.CommitAsync(token);
            return stored;
        }, cancellationToken);
    }

    private async Task<int> InsertAsync(IReadOnlyCollection<StoredMessage> messages, CancellationToken cancellationToken)
    {
        // One order for every writer, so two replicas inserting overlapping batches cannot deadlock.
        var ordered = messages.OrderBy(m => m.Room, StringComparer.Ordinal).ThenBy(m => m.Seq).ToArray();

        // A public room comes into being on first use; created rooms keep their row (DO NOTHING).
        var rooms = ordered.Select(m => m.Room).Where(room => !RoomIds.IsReserved(room)).Distinct().ToArray();
        if (rooms.Length > 0)
        {
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO "Rooms" ("Id", "Visibility", "OwnerId", "CreatedAt")
                SELECT id, 'Public', NULL, now() FROM unnest({rooms}) AS id
                ON CONFLICT ("Id") DO NOTHING
                """, cancellationToken);
        }

        var room = ordered.Select(m => m.Room).ToArray();
        var seq = ordered.Select(m => m.Seq).ToArray();
        var messageId = ordered.Select(m => m.MessageId).ToArray();
        var userId = ordered.Select(m => m.UserId).ToArray();
        var username = ordered.Select(m => m.Username).ToArray();
        var content = ordered.Select(m => m.Content).ToArray();
        var data = ordered.Select(m => m.Data).ToArray();
        var timestamp = ordered.Select(m => m.Timestamp).ToArray();
        var kind = ordered.Select(m => m.Kind).ToArray();
        var emoji = ordered.Select(m => m.Emoji).ToArray();
        var op = ordered.Select(m => m.Op).ToArray();

        var stored = await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "Messages" ("Room", "Seq", "MessageId", "UserId", "Username", "Content", "Data", "Timestamp", "Kind", "Emoji", "Op")
            SELECT r, s, m, u, n, c, d::jsonb, t, k, e, o
            FROM unnest({room}, {seq}, {messageId}, {userId}, {username}, {content}, {data}, {timestamp}, {kind}, {emoji}, {op})
                AS batch(r, s, m, u, n, c, d, t, k, e, o)
            ON CONFLICT ("Room", "Seq") DO NOTHING
            """, cancellationToken);

        await ScrubDeletedAsync(ordered.Where(m => m.Kind == FrameTypes.MessageDeleted).ToArray(), cancellationToken);
        return stored;
    }

    /// <summary>
    /// A delete removes the message's content, and that of its edits, from storage: the rows stay as a tombstone (its
    /// seq, ids and author), the text does not. Running it again for a redelivered delete changes nothing.
    /// </summary>
    private async Task ScrubDeletedAsync(StoredMessage[] deletes, CancellationToken cancellationToken)
    {
        if (deletes.Length == 0)
        {
            return;
        }

        var room = deletes.Select(m => m.Room).ToArray();
        var messageId = deletes.Select(m => m.MessageId).ToArray();
        await db.Database.ExecuteSqlAsync($"""
            UPDATE "Messages" AS m SET "Content" = NULL, "Data" = NULL
            FROM unnest({room}, {messageId}) AS d(room, id)
            WHERE m."Room" = d.room AND m."MessageId" = d.id AND m."Kind" IN ('message', 'message_edited') AND (m."Content" IS NOT NULL OR m."Data" IS NOT NULL)
            """, cancellationToken);
    }
}
