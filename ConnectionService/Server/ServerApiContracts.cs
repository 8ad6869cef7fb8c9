using System.Security.Claims;
using System.Text.Json;
using RealtimeAspire.ConnectionService.Messages;
using RealtimeAspire.Contracts;

namespace RealtimeAspire.ConnectionService.Server;

public sealed record ServerMessageRequest(string? Content, JsonElement? Data, string? IdempotencyKey);

public sealed record ServerMessageResponse(string MessageId, long Seq);

public sealed record BroadcastRequest(string[]? Rooms, string? Content, JsonElement? Data, string? IdempotencyKey);

public sealed record BroadcastResult(string Room, string MessageId, long Seq);

public sealed record BroadcastResponse(IReadOnlyList<BroadcastResult> Results);

public sealed record UserEventRequest(JsonElement? Data);

public sealed record UserEventResponse(long Connections);

public static class ServerCallers
{
    /// <summary>The client of a server-API request (its token's <c>sub</c> and <c>name</c>; the id when it has no name).</summary>
    public static ServerSender From(ClaimsPrincipal user)
    {
        var subject = user.FindFirstValue(AccessTokenClaims.UserId)
            ?? throw new InvalidOperationException("A server-API request without a subject");
        var name = user.FindFirstValue(AccessTokenClaims.Username);
        return new ServerSender(subject, string.IsNullOrEmpty(name) ? subject[ServerClients.SubjectPrefix.Length..] : name);
    }
}
