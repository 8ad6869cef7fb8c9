using RealtimeAspire.Contracts.Frames;
using RealtimeAspire.MessageService.Data;

namespace RealtimeAspire.MessageService.Rooms;

/// <summary>ConnectionService's calls for <c>read</c> and <c>leave</c> with <c>forget</c> (not routed by the Gateway).</summary>
public static class InternalMyRoomsApi
{
    public static RouteGroupBuilder MapInternalMyRoomsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/internal/rooms");

        group.MapPost("/{room}/reads", PostReadAsync).WithRequestTimeout(StorageUnavailableHandler.TimeoutPolicy);
        group.MapDelete("/{room}/list/{userId}", ForgetAsync);

        return group;
    }

    /// <summary>A <c>read</c> frame's position; the replica checked the join, access is checked again as for the HTTP call.</summary>
    public static async Task<Results<Ok<ReadPositionResponse>, ValidationProblem, ProblemHttpResult>> PostReadAsync(
        string room, ReadPositionRequest request, MessagesDbContext db, ReadPositions reads, CancellationToken cancellationToken)
    {
        if (!RoomIds.IsValid(room))
        {
            return RoomProblems.InvalidRoom();
        }

        if (string.IsNullOrEmpty(request.UserId) || request.Seq < 0)
        {
            return RoomProblems.Invalid("seq", "A userId and a non-negative seq are required.");
        }

        if (!(await RoomAccess.CheckAsync(db, room, request.UserId, cancellationToken)).CanRead)
        {
            return RoomProblems.NotReadable(room);
        }

        var (position, moved) = await reads.MoveAsync(room, request.UserId, request.Username, request.Seq, cancellationToken);
        return TypedResults.Ok(new ReadPositionResponse(room, position, moved));
    }

    /// <summary>Takes the room off the user's list; every replica forgets its grant, so the next join puts it back.</summary>
    public static async Task<NoContent> ForgetAsync(
        string room, string userId, MessagesDbContext db, RoomControl control, CancellationToken cancellationToken)
    {
        await MyRooms.RemoveAsync(db, room, userId, cancellationToken);
        await control.PublishForgetAccessAsync(room, userId);
        return TypedResults.NoContent();
    }
}
