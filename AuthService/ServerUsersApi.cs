using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RealtimeAspire.AuthService.Accounts;
using RealtimeAspire.AuthService.Data;

namespace RealtimeAspire.AuthService;

/// <param name="Until">When the block ends by itself; none: until unblocked. A time already past blocks nothing.</param>
/// <param name="Reason">Written to AuthService's log, not shown to the user.</param>
public sealed record BlockRequest(DateTimeOffset? Until, string? Reason);

/// <summary>
/// The server API's block (protocol.md §6, scope <c>users:block</c>): a blocked user's tokens are refused everywhere,
/// its live connections close with 4403, and logins and refreshes are refused until unblocked or <c>until</c>.
/// </summary>
public static partial class ServerUsersApi
{
    public static RouteGroupBuilder MapServerUsersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/server/users").RequireScope(ServerScopes.UsersBlock);

        group.MapPost("/{userId}/block", BlockAsync);
        group.MapDelete("/{userId}/block", UnblockAsync);

        return group;
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> BlockAsync(
        string userId, BlockRequest? request, AuthDbContext db, SubjectRevocations revocations, TimeProvider timeProvider,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (await CanonicalIdAsync(userId, db, cancellationToken) is not { } subject)
        {
            return UserNotFound();
        }

        if (request?.Until is { } until && until <= timeProvider.GetUtcNow())
        {
            await revocations.RestoreAsync(subject);
        }
        else
        {
            await revocations.RevokeAsync(subject, request?.Until);
        }

        LogBlocked(loggers.CreateLogger(typeof(ServerUsersApi)), subject, request?.Until, request?.Reason ?? "");
        return TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> UnblockAsync(
        string userId, AuthDbContext db, SubjectRevocations revocations, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (await CanonicalIdAsync(userId, db, cancellationToken) is not { } subject)
        {
            return UserNotFound();
        }

        await revocations.RestoreAsync(subject);
        LogUnblocked(loggers.CreateLogger(typeof(ServerUsersApi)), subject);
        return TypedResults.NoContent();
    }

    /// <summary>The user's id as its tokens' <c>sub</c> spells it, or null if there is no such user.</summary>
    private static async Task<string?> CanonicalIdAsync(string userId, AuthDbContext db, CancellationToken cancellationToken) =>
        Guid.TryParse(userId, out var id) && await db.Users.AnyAsync(u => u.Id == id, cancellationToken) ? id.ToString() : null;

    private static ProblemHttpResult UserNotFound() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "User not found", detail: "There is no user with that id.");

    [LoggerMessage(LogLevel.Warning, "User {BlockedUserId} blocked until {Until} ({Reason})")]
    private static partial void LogBlocked(ILogger logger, string blockedUserId, DateTimeOffset? until, string reason);

    [LoggerMessage(LogLevel.Warning, "User {BlockedUserId} unblocked")]
    private static partial void LogUnblocked(ILogger logger, string blockedUserId);
}
