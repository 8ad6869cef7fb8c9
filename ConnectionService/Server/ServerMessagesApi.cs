using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using RealtimeAspire.ConnectionService.Messages;
using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.Contracts;

namespace RealtimeAspire.ConnectionService.Server;

/// <summary>
/// The server API's publishing (protocol.md §6, scope <c>rooms:publish</c>): a message to one room, or the same message
/// to many rooms in one call. Any replica answers; each message takes the hand-off path of a user's message.
/// </summary>
public static class ServerMessagesApi
{
    public const int MaxBroadcastRooms = 100;

    public static RouteGroupBuilder MapServerMessagesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/server").RequireScope(ServerScopes.RoomsPublish);
        group.MapPost("/rooms/{room}/messages", PublishAsync);
        group.MapPost("/broadcast", BroadcastAsync);
        return group;
    }

    public static async Task<Results<Created<ServerMessageResponse>, ValidationProblem, ProblemHttpResult>> PublishAsync(
        string room, ServerMessageRequest request, ClaimsPrincipal user, ServerPublisher publisher, ClientFrameParser parser,
        HttpResponse response, CancellationToken cancellationToken)
    {
        var data = Present(request.Data);
        if (CheckMessage(room, request.Content, data, request.IdempotencyKey, parser) is { } problem)
        {
            return problem;
        }

        try
        {
            var published = await publisher.PublishAsync(ServerCallers.From(user), room, request.Content, data, IdempotencyKey(request.IdempotencyKey), cancellationToken);
            return TypedResults.Created((string?)null, new ServerMessageResponse(published.MessageId, published.Seq));
        }
        catch (NotReplicatedException e)
        {
            return NotYetSafe(response, e);
        }
    }

    /// <summary>Every room is checked before any message is appended; the idempotency key applies to each room on its own.</summary>
    public static async Task<Results<Ok<BroadcastResponse>, ValidationProblem, ProblemHttpResult>> BroadcastAsync(
        BroadcastRequest request, ClaimsPrincipal user, ServerPublisher publisher, ClientFrameParser parser,
        HttpResponse response, CancellationToken cancellationToken)
    {
        var rooms = request.Rooms ?? [];
        if (rooms.Length is 0 or > MaxBroadcastRooms)
        {
            return ServerProblems.Invalid("rooms", $"A broadcast goes to 1 to {MaxBroadcastRooms} rooms.");
        }

        if (rooms.Any(room => room is null || !RoomIds.IsValid(room)))
        {
            return ServerProblems.InvalidRoom("rooms");
        }

        if (rooms.Distinct(StringComparer.Ordinal).Count() != rooms.Length)
        {
            return ServerProblems.Invalid("rooms", "A room is named once.");
        }

        var data = Present(request.Data);
        if (CheckMessage(rooms[0], request.Content, data, request.IdempotencyKey, parser) is { } problem)
        {
            return problem;
        }

        var sender = ServerCallers.From(user);
        var key = IdempotencyKey(request.IdempotencyKey);
        // Pipelined over the one Redis connection: the rooms' scripts run independently, each atomic.
        try
        {
            var published = await Task.WhenAll(rooms.Select(room => publisher.PublishAsync(sender, room, request.Content, data, key, cancellationToken)));
            return TypedResults.Ok(new BroadcastResponse([.. published.Select(m => new BroadcastResult(m.Room, m.MessageId, m.Seq))]));
        }
        catch (NotReplicatedException e)
        {
            // The rooms that were confirmed keep their records: the retry with the same key answers them as before.
            return NotYetSafe(response, e);
        }
    }

    private static ProblemHttpResult NotYetSafe(HttpResponse response, NotReplicatedException e)
    {
        response.Headers.RetryAfter = "1";
        return TypedResults.Problem(title: ErrorCodes.Unavailable, detail: e.Message + " Send it again with the same idempotencyKey.",
            statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>The checks of a user's <c>message</c> frame (the parser's), with the idempotency key as its id.</summary>
    private static ValidationProblem? CheckMessage(string room, string? content, JsonElement? data, string? idempotencyKey, ClientFrameParser parser)
    {
        if (idempotencyKey is { Length: > ClientFrameParser.MaxClientIdLength })
        {
            return ServerProblems.Invalid("idempotencyKey", $"An idempotency key is at most {ClientFrameParser.MaxClientIdLength} characters.");
        }

        var checkedFrame = parser.Check(new ClientFrame(ClientFrameType.Message) { Room = room, Content = content, Data = data });
        return checkedFrame.ErrorCode is { } code ? ServerProblems.Invalid(FieldOf(code), checkedFrame.ErrorMessage!, code) : null;
    }

    private static string FieldOf(string code) => code switch
    {
        ErrorCodes.InvalidRoom => "room",
        ErrorCodes.DataTooLarge => "data",
        _ => "content",
    };

    /// <summary>A <c>"data": null</c> is no data, as in a frame.</summary>
    private static JsonElement? Present(JsonElement? data) => data is { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } ? null : data;

    /// <summary>An empty key is no key, as an empty client id is.</summary>
    private static string? IdempotencyKey(string? key) => string.IsNullOrEmpty(key) ? null : key;
}
