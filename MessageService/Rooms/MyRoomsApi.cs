using System.Security.Claims;
using RealtimeAspire.Contracts.Frames;
using RealtimeAspire.MessageService.Data;

namespace RealtimeAspire.MessageService.Rooms;

/// <summary>The user's rooms and read positions (protocol.md §7), behind the Gateway beside the rooms API.</summary>
public static class MyRoomsApi
{
    public static RouteGroupBuilder MapMyRoomsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/rooms").RequireAuthorization();

        group.MapGet("", GetMyRoomsAsync).WithRequestTimeout(StorageUnavailableHandler.TimeoutPolicy);
        group.MapPut("/{room}/read", PutReadAsync).WithRequestTimeout(StorageUnavailableHandler.TimeoutPolicy);
        group.MapGet("/{room}/reads", GetReadsAsync);

        return group;
    }

    public static async Task<Ok<MyRoomsResponse>> GetMyRoomsAsync(
        ClaimsPrincipal user, MessagesDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(new MyRoomsResponse(await MyRooms.ListAsync(db, Caller.From(user).UserId, cancellationToken)));

    /// <summary>Moves the caller's read position forward; answers the position now, moved or not.</summary>
    public static async Task<Results<Ok<ReadPositionResponse>, ValidationProblem, ProblemHttpResult>> PutReadAsync(
        string room, ReadRequestBody request, ClaimsPrincipal user, MessagesDbContext db, ReadPositions reads,
        CancellationToken cancellationToken)
    {
        if (!RoomIds.IsValid(room))
        {
            return RoomProblems.InvalidRoom();
        }

        if (request.Seq is not { } seq || seq < 0)
        {
            return RoomProblems.Invalid("seq", "The seq is a non-negative integer.");
        }

        var caller = Caller.From(user);
        if (!(await RoomAccess.CheckAsync(db, room, caller.UserId, cancellationToken)).CanRead)
        {
            return RoomProblems.NotReadable(room);
        }

        var (position, moved) = await reads.MoveAsync(room, caller.UserId, caller.Username, seq, cancellationToken);
        return TypedResults.Ok(new ReadPositionResponse(room, position, moved));
    }

    public static async Task<Results<Ok<RoomReadsResponse>, ValidationProblem, ProblemHttpResult>> GetReadsAsync(
        string room, ClaimsPrincipal user, MessagesDbContext db, ReadPositions reads, CancellationToken cancellationToken)
    {
        if (!RoomIds.IsValid(room))
        {
            return RoomProblems.InvalidRoom();
        }

        if (!(await RoomAccess.CheckAsync(db, room, Caller.From(user).UserId, cancellationToken)).CanRead)
        {
            return RoomProblems.NotReadable(room);
        }

        return TypedResults.Ok(new RoomReadsResponse(await reads.ListAsync(room, cancellationToken)));
    }
}
