using System.Security.Claims;
using RealtimeAspire.MessageService.Data;

namespace RealtimeAspire.MessageService.Rooms;

/// <summary>A server-API client's create: the user API's fields and the room's owner, by username (none when left out).</summary>
public sealed record ServerCreateRoomRequest(string? Room, string? Visibility, string[]? Members, string? Owner);

/// <summary>
/// The server API's rooms (protocol.md §6): history and presence (<c>rooms:read</c>), create and members
/// (<c>rooms:admin</c>) of any room, private ones too, through the user API's own handlers.
/// </summary>
public static class ServerRoomsApi
{
    public static IEndpointRouteBuilder MapServerRoomsApi(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/server/rooms").RequireScope(ServerScopes.RoomsRead);
        read.MapGet("/{room}/messages", GetMessagesAsync).WithRequestTimeout(StorageUnavailableHandler.TimeoutPolicy);
        read.MapGet("/{room}/presence", GetPresenceAsync);

        var admin = app.MapGroup("/api/server/rooms").RequireScope(ServerScopes.RoomsAdmin);
        admin.MapPost("", CreateRoomAsync);
        admin.MapPost("/{room}/members", AddMemberAsync);
        admin.MapDelete("/{room}/members/{username}", RemoveMemberAsync);
        return app;
    }

    public static Task<Results<Ok<MessagesPage>, ValidationProblem, ProblemHttpResult>> GetMessagesAsync(
        string room, long? after, long? before, int? limit, bool? events, ClaimsPrincipal user, MessagesDbContext db,
        HistoryReader history, CancellationToken cancellationToken) =>
        RoomsApi.ReadMessagesAsync(room, after, before, limit, events, Client(user), db, history, cancellationToken);

    public static Task<Results<Ok<PresenceResponse>, ValidationProblem, ProblemHttpResult>> GetPresenceAsync(
        string room, ClaimsPrincipal user, MessagesDbContext db, PresenceReader presence, CancellationToken cancellationToken) =>
        RoomsApi.ReadPresenceAsync(room, Client(user), db, presence, cancellationToken);

    public static async Task<Results<Created<RoomResponse>, ValidationProblem, ProblemHttpResult>> CreateRoomAsync(
        ServerCreateRoomRequest request, MessagesDbContext db, UserDirectory users, TimeProvider time,
        CancellationToken cancellationToken)
    {
        RoomMemberResponse? owner = null;
        if (request.Owner is not null)
        {
            if (await users.FindByNameAsync(request.Owner, cancellationToken) is not { } found)
            {
                return RoomProblems.Invalid("owner", $"There is no user '{request.Owner}'.");
            }

            owner = new RoomMemberResponse(found.UserId, found.Username);
        }

        return await RoomsApi.CreateAsync(new CreateRoomRequest(request.Room, request.Visibility, request.Members), owner, db, users, time, cancellationToken);
    }

    public static Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> AddMemberAsync(
        string room, AddMemberRequest request, ClaimsPrincipal user, MessagesDbContext db, UserDirectory users,
        TimeProvider time, CancellationToken cancellationToken) =>
        RoomsApi.AddRoomMemberAsync(room, request, Client(user), db, users, time, cancellationToken);

    public static Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> RemoveMemberAsync(
        string room, string username, ClaimsPrincipal user, MessagesDbContext db, RoomControl control,
        TimeProvider time, CancellationToken cancellationToken) =>
        RoomsApi.RemoveRoomMemberAsync(room, username, Client(user), db, control, time, cancellationToken);

    private static Caller Client(ClaimsPrincipal user) => Caller.From(user) with { AnyRoom = true };
}
