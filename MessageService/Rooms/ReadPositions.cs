using Microsoft.EntityFrameworkCore;
using RealtimeAspire.Contracts.Frames;
using RealtimeAspire.MessageService.Data;

namespace RealtimeAspire.MessageService.Rooms;

/// <summary>
/// Users' read positions (protocol.md §7, "Read position"): one forward-only upsert per call, however many messages it
/// covers; a position that moved is sent to the user's devices and, throttled, as a receipt to the room.
/// </summary>
public sealed class ReadPositions(MessagesDbContext db, HistoryReader history, ReadFanout fanout, TimeProvider time)
{
    /// <summary>Moves the user's position to <paramref name="seq"/> (at most the room's last seq) unless it is there or beyond.</summary>
    public async Task<(long Seq, bool Moved)> MoveAsync(string room, string userId, string username, long seq, CancellationToken cancellationToken)
    {
        // A position past the last message would mark messages read before they exist.
        var target = Math.Min(seq, await history.LastSeqAsync(room, cancellationToken));
        if (target <= 0)
        {
            // Nothing to have read: no row is written for it, and nobody is told.
            return (await PositionAsync(room, userId, cancellationToken), false);
        }

        var now = time.GetUtcNow();
        var moved = await db.Database.SqlQuery<long>($"""
            INSERT INTO "RoomReads" ("Room", "UserId", "Username", "Seq", "ReadAt")
            VALUES ({room}, {userId}, {username}, {target}, {now})
            ON CONFLICT ("Room", "UserId") DO UPDATE
                SET "Seq" = EXCLUDED."Seq", "Username" = EXCLUDED."Username", "ReadAt" = EXCLUDED."ReadAt"
                WHERE "RoomReads"."Seq" < EXCLUDED."Seq"
            RETURNING "Seq" AS "Value"
            """).ToListAsync(cancellationToken);

        if (moved.Count == 0)
        {
            return (await PositionAsync(room, userId, cancellationToken), false);
        }

        await fanout.PublishAsync(room, userId, username, moved[0]);
        return (moved[0], true);
    }

    public async Task<long> PositionAsync(string room, string userId, CancellationToken cancellationToken) =>
        await db.RoomReads.AsNoTracking().Where(r => r.Room == room && r.UserId == userId)
            .Select(r => (long?)r.Seq).FirstOrDefaultAsync(cancellationToken) ?? 0;

    /// <summary>Every read position of the room, highest first.</summary>
    public async Task<List<RoomReadResponse>> ListAsync(string room, CancellationToken cancellationToken) =>
        await db.RoomReads.AsNoTracking().Where(r => r.Room == room)
            .OrderByDescending(r => r.Seq).ThenBy(r => r.Username)
            .Select(r => new RoomReadResponse(r.UserId, r.Username, r.Seq))
            .ToListAsync(cancellationToken);
}
