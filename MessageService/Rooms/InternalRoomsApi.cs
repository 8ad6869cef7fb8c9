using RealtimeAspire.Contracts;
using RealtimeAspire.MessageService.Data;

namespace RealtimeAspire.MessageService.Rooms;

/// <summary>
/// Calls from the other services (docs/architecture.md, "Internal HTTP"). The Gateway does not route
/// /internal, so these are reachable only inside the system.
/// </summary>
public static class InternalRoomsApi
{
    public static RouteGroupBuilder MapInternalRoomsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/internal/rooms");

        group.MapGet("/{room}/access", GetAccessAsync);
        group.MapPost("/{room}/joins", PostJoinAsync);
        group.MapGet("/{room}/last-seq", GetLastSeqAsync).WithRequestTimeout(StorageUnavailableHandler.TimeoutPolicy);
        group.MapGet("/{room}/messages/{messageId}", GetMessageAsync).WithRequestTimeout(StorageUnavailableHandler.TimeoutPolicy);

        return group;
    }

    public static Task<Results<Ok<RoomAccessResponse>, ValidationProblem>> GetAccessAsync(
        string room, string? userId, MessagesDbContext db, CancellationToken cancellationToken) =>
        AnswerAccessAsync(room, userId, RoomAccess.CheckAsync, db, cancellationToken);

    /// <summary>
    /// The access of a join: like <see cref="GetAccessAsync"/>, a room nobody created comes into being, public, and a
    /// granted room goes on the user's room list in the same call (the join's one round trip here).
    /// </summary>
    public static Task<Results<Ok<RoomAccessResponse>, ValidationProblem>> PostJoinAsync(
        string room, string? userId, MessagesDbContext db, CancellationToken cancellationToken) =>
        AnswerAccessAsync(room, userId, JoinAsync, db, cancellationToken);

    private static async Task<RoomAccess> JoinAsync(MessagesDbContext db, string room, string userId, CancellationToken cancellationToken)
    {
        var access = await RoomAccess.CheckJoinAsync(db, room, userId, cancellationToken);
        if (access.CanRead && !RoomIds.IsReserved(room))
        {
            await MyRooms.AddAsync(db, room, userId, cancellationToken);
        }

        return access;
    }

    public static async Task<Results<Ok<LastSeqResponse>, ValidationProblem>> GetLastSeqAsync(
        string room, HistoryReader history, CancellationToken cancellationToken)
    {
        if (!RoomIds.IsValid(room))
        {
            return RoomProblems.InvalidRoom();
        }

        return TypedResults.Ok(new LastSeqResponse(room, await history.LastSeqAsync(room, cancellationToken)));
    }

    /// <summary>One message for ConnectionService's checks of an edit, delete or reaction (<see cref="InternalApi.MessageLookupPath"/>).</summary>
    public static async Task<Results<Ok<MessageLookup>, NotFound, ValidationProblem>> GetMessageAsync(
        string room, string messageId, string? userId, HistoryReader history, CancellationToken cancellationToken)
    {
        if (!RoomIds.IsValid(room))
        {
            return RoomProblems.InvalidRoom();
        }

        if (string.IsNullOrEmpty(userId))
        {
            return RoomProblems.Invalid("userId", "A userId is required.");
        }

        return Guid.TryParse(messageId, out var id) && await history.LookupAsync(room, id, userId, cancellationToken) is { } lookup
            ? TypedResults.Ok(lookup)
            : TypedResults.NotFound();
    }

    private static async Task<Results<Ok<RoomAccessResponse>, ValidationProblem>> AnswerAccessAsync(
        string room, string? userId, Func<MessagesDbContext, string, string, CancellationToken, Task<RoomAccess>> check,
        MessagesDbContext db, CancellationToken cancellationToken)
    {
        if (!RoomIds.IsValid(room))
        {
            return RoomProblems.InvalidRoom();
        }

        if (string.IsNullOrEmpty(userId))
        {
            return RoomProblems.Invalid("userId", "A userId is required.");
        }

        var access = await check(db, room, userId, cancellationToken);
        return TypedResults.Ok(new RoomAccessResponse(room, access.Exists, access.Visibility.ToProtocol(), access.CanRead));
    }
}
