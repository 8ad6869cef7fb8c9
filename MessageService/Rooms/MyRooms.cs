using Microsoft.EntityFrameworkCore;
using RealtimeAspire.Contracts.Frames;
using RealtimeAspire.MessageService.Data;

namespace RealtimeAspire.MessageService.Rooms;

/// <summary>
/// The user's room list (protocol.md §7, "My rooms"): the rows of <see cref="UserRoom"/>, written where a user gains or
/// loses a room, and read as one query (docs/messages.md, "My rooms and read positions").
/// </summary>
public static class MyRooms
{
    /// <summary>Puts the room on the list; idempotent, so a join may repeat it as often as it likes.</summary>
    public static Task AddAsync(MessagesDbContext db, string room, string userId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"""
            INSERT INTO "UserRooms" ("UserId", "Room", "AddedAt") VALUES ({userId}, {room}, now())
            ON CONFLICT ("UserId", "Room") DO NOTHING
            """, cancellationToken);

    public static Task RemoveAsync(MessagesDbContext db, string room, string userId, CancellationToken cancellationToken) =>
        db.UserRooms.Where(r => r.UserId == userId && r.Room == room).ExecuteDeleteAsync(cancellationToken);

    /// <summary>
    /// Every room on the user's list with its latest message, the user's read position and the unread count, most
    /// recent activity first: one statement, the latest message a lateral backward step of the room's (Room, Seq)
    /// key and the count a range of it.
    /// </summary>
    public static IQueryable<MyRoomRow> Query(MessagesDbContext db, string userId)
    {
        // Written as a lateral join: EF Core would turn a correlated Take(1) into a window over every stored message.
        // Only messages count, not the edits, deletes and reactions stored beside them (each has its own seq).
        // Selecting m.* keeps the whole entity, so a column added to messages reaches the preview without a change here.
        var latest = db.Messages.FromSql($"""
            SELECT m.* FROM "UserRooms" u
            CROSS JOIN LATERAL (SELECT * FROM "Messages" WHERE "Room" = u."Room" AND "Kind" = 'message' ORDER BY "Seq" DESC LIMIT 1) m
            WHERE u."UserId" = {userId}
            """).AsNoTracking();

        return from entry in db.UserRooms.AsNoTracking().Where(r => r.UserId == userId)
            join room in db.Rooms on entry.Room equals room.Id into rooms
            from room in rooms.DefaultIfEmpty()
            join read in db.RoomReads on new { entry.Room, entry.UserId } equals new { read.Room, read.UserId } into reads
            from read in reads.DefaultIfEmpty()
            join last in latest on entry.Room equals last.Room into lasts
            from last in lasts.DefaultIfEmpty()
            let readSeq = read == null ? 0 : read.Seq
            orderby (last == null ? entry.AddedAt : last.Timestamp) descending, entry.Room
            select new MyRoomRow
            {
                Room = entry.Room,
                Visibility = room == null ? null : room.Visibility,
                ReadSeq = readSeq,
                Last = last,
                Unread = db.Messages.Count(m => m.Room == entry.Room && m.Kind == FrameTypes.Message && m.Seq > readSeq && m.UserId != userId),
            };
    }

    public static async Task<List<MyRoomResponse>> ListAsync(MessagesDbContext db, string userId, CancellationToken cancellationToken)
    {
        var rows = await Query(db, userId).ToListAsync(cancellationToken);
        return [.. rows.Select(row => new MyRoomResponse(
            row.Room,
            (row.Visibility ?? (RoomIds.IsReserved(row.Room) ? RoomVisibility.Private : RoomVisibility.Public)).ToProtocol(),
            row.Last?.Seq ?? 0,
            row.Last is null ? null : Preview(row.Last),
            row.ReadSeq,
            row.Unread))];
    }

    /// <summary>A deleted message's row keeps neither content nor data (its delete scrubbed them): the preview says so, as history does.</summary>
    private static MessageFrame Preview(StoredMessage last) =>
        last.Content is null && last.Data is null ? StoredMessageFrames.From(last) with { Deleted = true } : StoredMessageFrames.From(last);
}

/// <summary>One row of <see cref="MyRooms.Query"/>: a room of the list, its latest stored message and the user's unread count.</summary>
public sealed class MyRoomRow
{
    public required string Room { get; init; }

    public RoomVisibility? Visibility { get; init; }

    public long ReadSeq { get; init; }

    public StoredMessage? Last { get; init; }

    public int Unread { get; init; }
}
