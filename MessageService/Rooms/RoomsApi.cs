using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using RealtimeAspire.Contracts;
using RealtimeAspire.MessageService.Data;
using RealtimeAspire.MessageService.Webhooks;

namespace RealtimeAspire.MessageService.Rooms;

/// <summary>The public rooms API (protocol section "Rooms and history"), behind the Gateway.</summary>
public static class RoomsApi
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
    public const int MaxInitialMembers = 200;

    public static RouteGroupBuilder MapRoomsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/rooms").RequireAuthorization();

        group.MapPost("", CreateRoomAsync);
        group.MapPost("/{room}/members", AddMemberAsync);
        group.MapDelete("/{room}/members/{username}", RemoveMemberAsync);
        group.MapGet("/{room}/messages", GetMessagesAsync).WithRequestTimeout(StorageUnavailableHandler.TimeoutPolicy);
        group.MapGet("/{room}/presence", GetPresenceAsync);

        return group;
    }

    public static Task<Results<Created<RoomResponse>, ValidationProblem, ProblemHttpResult>> CreateRoomAsync(
        CreateRoomRequest request, ClaimsPrincipal user, MessagesDbContext db, UserDirectory users,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = Caller.From(user);
        return CreateAsync(request, new RoomMemberResponse(caller.UserId, caller.Username), db, users, time, cancellationToken);
    }

    /// <summary>Creates the room with <paramref name="owner"/> as its owner and first member, or without an owner when null.</summary>
    public static async Task<Results<Created<RoomResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateRoomRequest request, RoomMemberResponse? owner, MessagesDbContext db, UserDirectory users,
        TimeProvider time, CancellationToken cancellationToken)
    {
        if (!RoomIds.IsValid(request.Room))
        {
            return RoomProblems.InvalidRoom();
        }

        var room = request.Room!;
        if (RoomIds.IsReserved(room))
        {
            return RoomProblems.Invalid("room", $"Room ids starting '{RoomIds.ReservedPrefix}' are reserved.");
        }

        if (Visibility.Parse(request.Visibility) is not { } visibility)
        {
            return RoomProblems.Invalid("visibility", "Visibility is 'public' or 'private'.");
        }

        var usernames = (request.Members ?? []).Distinct().ToList();
        if (usernames.Count > MaxInitialMembers || usernames.Any(string.IsNullOrWhiteSpace))
        {
            return RoomProblems.Invalid("members", $"Members are up to {MaxInitialMembers} usernames.");
        }

        // A public room exists from its first join on (RoomAccess.CheckJoinAsync records it), so nobody takes over
        // a room in use; the primary key decides a create racing that first join.
        if (await db.Rooms.AnyAsync(r => r.Id == room, cancellationToken))
        {
            return RoomProblems.RoomExists(room);
        }

        var now = time.GetUtcNow();
        var created = new Room { Id = room, Visibility = visibility, OwnerId = owner?.UserId, CreatedAt = now };
        if (owner is not null)
        {
            created.Members.Add(new RoomMember { RoomId = room, UserId = owner.UserId, Username = owner.Username, AddedAt = now });
        }

        foreach (var username in usernames.Where(name => name != owner?.Username))
        {
            if (await users.FindByNameAsync(username, cancellationToken) is not { } member)
            {
                return RoomProblems.Invalid("members", $"There is no user '{username}'.");
            }

            if (created.Members.All(m => m.UserId != member.UserId))
            {
                created.Members.Add(new RoomMember { RoomId = room, UserId = member.UserId, Username = member.Username, AddedAt = now });
            }
        }

        db.Rooms.Add(created);
        // The owner and every initial member have the room on their lists, committed with it.
        db.UserRooms.AddRange(created.Members.Select(m => new UserRoom { UserId = m.UserId, Room = room, AddedAt = now }));
        try
        {
            await WebhookOutbox.SaveChangesAsync(db, [RoomWebhookEvents.Created(created)], cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return RoomProblems.RoomExists(room);
        }

        var members = created.Members.Select(m => new RoomMemberResponse(m.UserId, m.Username)).ToList();
        return TypedResults.Created($"/api/rooms/{Uri.EscapeDataString(room)}", new RoomResponse(room, visibility.ToProtocol(), owner?.UserId, members));
    }

    public static Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> AddMemberAsync(
        string room, AddMemberRequest request, ClaimsPrincipal user, MessagesDbContext db, UserDirectory users,
        TimeProvider time, CancellationToken cancellationToken) =>
        AddRoomMemberAsync(room, request, Caller.From(user), db, users, time, cancellationToken);

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> AddRoomMemberAsync(
        string room, AddMemberRequest request, Caller caller, MessagesDbContext db, UserDirectory users,
        TimeProvider time, CancellationToken cancellationToken)
    {
        if ((await FindOwnedRoomAsync(db, room, caller, cancellationToken)).Problem is { } problem)
        {
            return problem;
        }

        if (string.IsNullOrWhiteSpace(request.Username))
        {
            return RoomProblems.Invalid("username", "A username is required.");
        }

        if (await users.FindByNameAsync(request.Username, cancellationToken) is not { } member)
        {
            return RoomProblems.UserNotFound(request.Username);
        }

        if (!await db.RoomMembers.AnyAsync(m => m.RoomId == room && m.UserId == member.UserId, cancellationToken))
        {
            var added = new RoomMember { RoomId = room, UserId = member.UserId, Username = member.Username, AddedAt = time.GetUtcNow() };
            db.RoomMembers.Add(added);
            try
            {
                await WebhookOutbox.SaveChangesAsync(db, [RoomWebhookEvents.MemberAdded(added)], cancellationToken);
            }
            catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                // Added by a concurrent request: the outcome is the same.
            }
        }

        await MyRooms.AddAsync(db, room, member.UserId, cancellationToken);

        return TypedResults.NoContent();
    }

    public static Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> RemoveMemberAsync(
        string room, string username, ClaimsPrincipal user, MessagesDbContext db, RoomControl control,
        TimeProvider time, CancellationToken cancellationToken) =>
        RemoveRoomMemberAsync(room, username, Caller.From(user), db, control, time, cancellationToken);

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> RemoveRoomMemberAsync(
        string room, string username, Caller caller, MessagesDbContext db, RoomControl control,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var (problem, ownerId) = await FindOwnedRoomAsync(db, room, caller, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var member = await db.RoomMembers.FirstOrDefaultAsync(m => m.RoomId == room && m.Username == username, cancellationToken);
        if (member is null)
        {
            return RoomProblems.MemberNotFound(room, username);
        }

        if (member.UserId == ownerId)
        {
            return RoomProblems.Invalid("username", "The owner cannot be removed from the room.");
        }

        db.RoomMembers.Remove(member);
        try
        {
            await WebhookOutbox.SaveChangesAsync(db, [RoomWebhookEvents.MemberRemoved(member, time.GetUtcNow())], cancellationToken);
            await MyRooms.RemoveAsync(db, room, member.UserId, cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Removed by a concurrent request (the row was gone): the outcome is the same, and its kick was published.
            return TypedResults.NoContent();
        }

        // After the commit: a replica re-checking access on the kick must already see the removal.
        await control.PublishKickAsync(room, member.UserId);
        return TypedResults.NoContent();
    }

    public static Task<Results<Ok<MessagesPage>, ValidationProblem, ProblemHttpResult>> GetMessagesAsync(
        string room, long? after, long? before, int? limit, bool? events, ClaimsPrincipal user, MessagesDbContext db,
        HistoryReader history, CancellationToken cancellationToken) =>
        ReadMessagesAsync(room, after, before, limit, events, Caller.From(user), db, history, cancellationToken);

    public static async Task<Results<Ok<MessagesPage>, ValidationProblem, ProblemHttpResult>> ReadMessagesAsync(
        string room, long? after, long? before, int? limit, bool? events, Caller caller, MessagesDbContext db,
        HistoryReader history, CancellationToken cancellationToken)
    {
        if (!RoomIds.IsValid(room))
        {
            return RoomProblems.InvalidRoom();
        }

        var pageSize = limit ?? DefaultPageSize;
        if (pageSize is < 1 or > MaxPageSize)
        {
            return RoomProblems.Invalid("limit", $"The limit is 1 to {MaxPageSize}.");
        }

        if (after < 0 || before < 0)
        {
            return RoomProblems.Invalid(after < 0 ? "after" : "before", "Sequence numbers are not negative.");
        }

        if (!await CanReadAsync(db, room, caller, cancellationToken))
        {
            return RoomProblems.NotReadable(room);
        }

        return TypedResults.Ok(await history.ReadPageAsync(room, after, before, pageSize, events ?? false, cancellationToken));
    }

    public static Task<Results<Ok<PresenceResponse>, ValidationProblem, ProblemHttpResult>> GetPresenceAsync(
        string room, ClaimsPrincipal user, MessagesDbContext db, PresenceReader presence, CancellationToken cancellationToken) =>
        ReadPresenceAsync(room, Caller.From(user), db, presence, cancellationToken);

    public static async Task<Results<Ok<PresenceResponse>, ValidationProblem, ProblemHttpResult>> ReadPresenceAsync(
        string room, Caller caller, MessagesDbContext db, PresenceReader presence, CancellationToken cancellationToken)
    {
        if (!RoomIds.IsValid(room))
        {
            return RoomProblems.InvalidRoom();
        }

        if (!await CanReadAsync(db, room, caller, cancellationToken))
        {
            return RoomProblems.NotReadable(room);
        }

        return TypedResults.Ok(new PresenceResponse(room, await presence.ReadAsync(room)));
    }

    private static async Task<bool> CanReadAsync(MessagesDbContext db, string room, Caller caller, CancellationToken cancellationToken) =>
        caller.AnyRoom || (await RoomAccess.CheckAsync(db, room, caller.UserId, cancellationToken)).CanRead;

    /// <summary>The room's owner when it exists and the caller may change its members, else the problem to answer.</summary>
    private static async Task<(ProblemHttpResult? Problem, string? OwnerId)> FindOwnedRoomAsync(
        MessagesDbContext db, string room, Caller caller, CancellationToken cancellationToken)
    {
        var owner = await db.Rooms.Where(r => r.Id == room).Select(r => new { r.OwnerId }).FirstOrDefaultAsync(cancellationToken);
        if (owner is null)
        {
            return (RoomProblems.RoomNotFound(room), null);
        }

        // A public room that came into being on first join (or first message) has no owner.
        return (owner.OwnerId == caller.UserId || caller.AnyRoom ? null : RoomProblems.NotOwner(room), owner.OwnerId);
    }
}
