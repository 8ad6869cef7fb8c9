using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using RealtimeAspire.ConnectionService.Messages;
using RealtimeAspire.Contracts;
using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.ConnectionService.Server;

/// <summary>The server API's events for one user (protocol.md §6, scope <c>users:notify</c>): live only, never stored.</summary>
public static class ServerEventsApi
{
    public const int MaxUserIdLength = 128;

    public static RouteGroupBuilder MapServerEventsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/server/users").RequireScope(ServerScopes.UsersNotify);
        group.MapPost("/{userId}/events", SendAsync);
        return group;
    }

    public static async Task<Results<Accepted<UserEventResponse>, ValidationProblem>> SendAsync(
        string userId, UserEventRequest request, ClaimsPrincipal user, UserEventSender events)
    {
        if (userId.Length is 0 or > MaxUserIdLength)
        {
            return ServerProblems.Invalid("userId", $"A user id is 1 to {MaxUserIdLength} characters.");
        }

        if (request.Data is not { ValueKind: JsonValueKind.Object } data)
        {
            return ServerProblems.Invalid("data", "\"data\" is a JSON object.");
        }

        if (System.Text.Encoding.UTF8.GetByteCount(data.GetRawText()) > StructuredData.DefaultMaxBytes)
        {
            return ServerProblems.Invalid("data", $"\"data\" is at most {StructuredData.DefaultMaxBytes} bytes serialized.", ErrorCodes.DataTooLarge);
        }

        var connections = await events.SendAsync(ServerCallers.From(user), userId, data);
        return TypedResults.Accepted((string?)null, new UserEventResponse(connections));
    }
}
