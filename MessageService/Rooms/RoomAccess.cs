using Microsoft.EntityFrameworkCore;
using RealtimeAspire.MessageService.Data;

namespace RealtimeAspire.MessageService.Rooms;

/// <summary>Who may read a room: anyone for a public room (created or not), owner and members for a private one.</summary>
public sealed record RoomAccess(string Room, bool Exists, RoomVisibility Visibility, bool CanRead)
{
    public static async Task<RoomAccess> CheckAsync(MessagesDbContext db, string room, string userId, CancellationToken cancellationToken)
    {
        if (RoomIds.IsReserved(room))
        {
            return new RoomAccess(room, false, RoomVisibility.Private, RoomIds.ReservedOwner(room) == userId);
        }

        var found = await db.Rooms.AsNoTracking()
            .Where(r => r.Id == room)
            .Select(r => new { r.Visibility, r.OwnerId, IsMember = r.Members.Any(m => m.UserId == userId) })
            .FirstOrDefaultAsync(cancellationToken);

        return found switch
        {
            null => new RoomAccess(room, false, RoomVisibility.Public, true),
            { Visibility: RoomVisibility.Public } => new RoomAccess(room, true, RoomVisibility.Public, true),
            _ => new RoomAccess(room, true, RoomVisibility.Private, found.OwnerId == userId || found.IsMember),
        };
    }

    /// <summary>
    /// The access of a join. A room nobody created comes into being here, recorded as public without owner, so a
    /// create after this join answers 409; the row's primary key orders this against a concurrent create, whose
    /// private room a join that loses the race then sees (and is refused).
    /// </summary>
    public static async Task<RoomAccess> CheckJoinAsync(MessagesDbContext db, string room, string userId, CancellationToken cancellationToken)
    {
        var access = await CheckAsync(db, room, userId, cancellationToken);
        if (access.Exists || RoomIds.IsReserved(room))
        {
            return access;
        }

        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "Rooms" ("Id", "Visibility", "OwnerId", "CreatedAt")
            VALUES ({room}, 'Public', NULL, now())
            ON CONFLICT ("Id") DO NOTHING
            """, cancellationToken);
        return await CheckAsync(db, room, userId, cancellationToken);
    }
}
