using Microsoft.EntityFrameworkCore;
using RealtimeAspire.MessageService.Data;
using RealtimeAspire.MessageService.Webhooks;

namespace RealtimeAspire.MessageService.Persistence;

/// <summary>
/// Writes batches of messages idempotently: a (room, seq) stored before is skipped, never doubled. Their
/// <c>message.created</c> webhook events commit in the same transaction.
/// </summary>
public sealed class MessageStore(MessagesDbContext db)
{
    /// <summary>Stores the messages, records their rooms and writes their webhook events; returns how many were new.</summary>
    public async Task<int> StoreAsync(
        IReadOnlyCollection<StoredMessage> messages, CancellationToken cancellationToken, IReadOnlyDictionary<Guid, string>? traceParents = null)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async token =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(token);
            var stored = await InsertAsync(messages, token);
            var events = messages
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

        return await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "Messages" ("Room", "Seq", "MessageId", "UserId", "Username", "Content", "Data", "Timestamp")
            SELECT r, s, m, u, n, c, d::jsonb, t FROM unnest({room}, {seq}, {messageId}, {userId}, {username}, {content}, {data}, {timestamp})
                AS batch(r, s, m, u, n, c, d, t)
            ON CONFLICT ("Room", "Seq") DO NOTHING
            """, cancellationToken);
    }
}
