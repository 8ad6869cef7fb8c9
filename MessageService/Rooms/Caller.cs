using System.Security.Claims;

namespace RealtimeAspire.MessageService.Rooms;

/// <summary>The authenticated user of a request, from the access token's <c>sub</c> and <c>name</c>.</summary>
/// <param name="AnyRoom">A server-API client (ServerRoomsApi): it reads and administers every room, private ones too.</param>
public sealed record Caller(string UserId, string Username, bool AnyRoom = false)
{
    public static Caller From(ClaimsPrincipal user) => new(
        user.FindFirstValue(AccessTokenClaims.UserId) ?? user.FindFirstValue(ClaimTypes.NameIdentifier)
            ?? throw new InvalidOperationException("An authenticated user without a user id"),
        user.FindFirstValue(AccessTokenClaims.Username) ?? user.FindFirstValue(ClaimTypes.Name) ?? "");
}
