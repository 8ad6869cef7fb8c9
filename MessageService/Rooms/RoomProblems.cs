namespace RealtimeAspire.MessageService.Rooms;

/// <summary>The RFC 7807 answers of the rooms API; clients may rely on their titles.</summary>
public static class RoomProblems
{
    public static ProblemHttpResult RoomExists(string room) =>
        TypedResults.Problem(title: "Room exists", detail: $"The room '{room}' already exists.", statusCode: StatusCodes.Status409Conflict);

    public static ProblemHttpResult RoomNotFound(string room) =>
        TypedResults.Problem(title: "Room not found", detail: $"There is no created room '{room}'.", statusCode: StatusCodes.Status404NotFound);

    public static ProblemHttpResult UserNotFound(string username) =>
        TypedResults.Problem(title: "User not found", detail: $"There is no user '{username}'.", statusCode: StatusCodes.Status404NotFound);

    public static ProblemHttpResult MemberNotFound(string room, string username) =>
        TypedResults.Problem(title: "Member not found", detail: $"'{username}' is not a member of '{room}'.", statusCode: StatusCodes.Status404NotFound);

    public static ProblemHttpResult NotOwner(string room) =>
        TypedResults.Problem(title: "Not the room owner", detail: $"Only the owner of '{room}' may change its members.", statusCode: StatusCodes.Status403Forbidden);

    public static ProblemHttpResult NotReadable(string room) =>
        TypedResults.Problem(title: "Room is private", detail: $"'{room}' is private and you are not a member.", statusCode: StatusCodes.Status403Forbidden);

    public static ValidationProblem Invalid(string field, string error) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [error] }, title: "Invalid request");

    public static ValidationProblem InvalidRoom() =>
        Invalid("room", $"Room ids match {RoomIds.Rule}.");
}
