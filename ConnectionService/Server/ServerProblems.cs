using Microsoft.AspNetCore.Http.HttpResults;
using RealtimeAspire.Contracts;

namespace RealtimeAspire.ConnectionService.Server;

/// <summary>The RFC 7807 answers of the server API in ConnectionService; <c>code</c> names the protocol's error code where one applies.</summary>
public static class ServerProblems
{
    public static ValidationProblem Invalid(string field, string error, string code = ErrorCodes.InvalidMessage) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [error] }, title: "Invalid request",
            extensions: new Dictionary<string, object?> { ["code"] = code });

    public static ValidationProblem InvalidRoom(string field = "room") =>
        Invalid(field, $"Room ids match {RoomIds.Rule}.", ErrorCodes.InvalidRoom);
}
