using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using RealtimeAspire.MessageService.Data;

namespace RealtimeAspire.MessageService.Webhooks;

/// <summary>An event to put in the outbox; <see cref="Data"/> becomes the body's <c>data</c>.</summary>
public sealed record NewWebhookEvent(Guid Id, string Type, string? Room, string OrderKey, object Data, DateTimeOffset Timestamp, string? TraceParent)
{
    /// <summary>An event of a room, ordered with the room's other events, in the trace of the current request.</summary>
    public static NewWebhookEvent OfRoom(string type, string room, object data, DateTimeOffset timestamp) =>
        new(Guid.CreateVersion7(timestamp), type, room, room, data, timestamp, Activity.Current?.Id);
}

/// <summary>
/// Writes webhook events into the outbox inside the caller's transaction: each event once (its id is the key), and one
/// pending delivery for every endpoint that subscribed to it. Nothing is written when no endpoint wants an event, so the
/// outbox costs a message batch one cheap statement while no backend listens.
/// </summary>
public static class WebhookOutbox
{
    private static readonly JsonSerializerOptions BodyJson = new(JsonSerializerDefaults.Web);

    /// <summary>The body every attempt sends: <c>{type, timestamp, data}</c> (Standard Webhooks).</summary>
    public static string Body(string type, DateTimeOffset timestamp, object data) =>
        JsonSerializer.Serialize(new { type, timestamp, data }, BodyJson);

    /// <summary>Saves the context's changes and the events in one transaction (an execution strategy may run it again).</summary>
    public static async Task SaveChangesAsync(MessagesDbContext db, IReadOnlyList<NewWebhookEvent> events, CancellationToken cancellationToken)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async token =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(token);
            await db.SaveChangesAsync(acceptAllChangesOnSuccess: false, token);
            await WriteAsync(db, events, token);
            await transaction.CommitAsync(token);
        }, cancellationToken);
        db.ChangeTracker.AcceptAllChanges();
    }

    /// <summary>Writes the events; the caller owns the transaction that makes them commit with its change.</summary>
    public static async Task WriteAsync(MessagesDbContext db, IReadOnlyList<NewWebhookEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }

        var ids = events.Select(e => e.Id).ToArray();
        var types = events.Select(e => e.Type).ToArray();
        var rooms = events.Select(e => e.Room).ToArray();
        var orderKeys = events.Select(e => e.OrderKey).ToArray();
        var bodies = events.Select(e => Body(e.Type, e.Timestamp, e.Data)).ToArray();
        var traceParents = events.Select(e => e.TraceParent).ToArray();
        var createdAt = events.Select(e => e.Timestamp.ToUniversalTime()).ToArray();

        // One writer per order key at a time, so deliveries of a room are numbered in the order they commit.
        await db.Database.ExecuteSqlAsync($"""
            SELECT pg_advisory_xact_lock(hashtextextended(k, 0))
            FROM (SELECT DISTINCT unnest({orderKeys}) AS k ORDER BY 1) AS keys
            WHERE EXISTS (SELECT 1 FROM "WebhookEndpoints")
            """, cancellationToken);

        await db.Database.ExecuteSqlAsync($"""
            WITH input AS (
                SELECT * FROM unnest({ids}, {types}, {rooms}, {orderKeys}, {bodies}, {traceParents}, {createdAt}) WITH ORDINALITY
                    AS i("Id", "Type", "Room", "OrderKey", "Body", "TraceParent", "CreatedAt", "Ordinal")
            ), matched AS (
                SELECT i.*, endpoint."Id" AS "EndpointId"
                FROM input AS i JOIN "WebhookEndpoints" AS endpoint
                    ON i."Type" = ANY(endpoint."Events")
                    AND (cardinality(endpoint."RoomPrefixes") = 0
                        OR EXISTS (SELECT 1 FROM unnest(endpoint."RoomPrefixes") AS prefix WHERE starts_with(i."Room", prefix)))
            ), stored AS (
                INSERT INTO "WebhookEvents" ("Id", "Type", "Room", "OrderKey", "Body", "TraceParent", "CreatedAt")
                SELECT "Id", "Type", "Room", "OrderKey", "Body", "TraceParent", "CreatedAt" FROM input AS i
                WHERE EXISTS (SELECT 1 FROM matched AS m WHERE m."Id" = i."Id")
                ORDER BY "Ordinal"
                ON CONFLICT ("Id") DO NOTHING
                RETURNING "Id"
            )
            INSERT INTO "WebhookDeliveries" ("EventId", "EndpointId", "OrderKey", "Status", "Attempts", "NextAttemptAt", "CreatedAt")
            SELECT m."Id", m."EndpointId", m."OrderKey", 'Pending', 0, m."CreatedAt", m."CreatedAt"
            FROM matched AS m JOIN stored AS s ON s."Id" = m."Id"
            ORDER BY m."Ordinal", m."EndpointId"
            """, cancellationToken);
    }
}
