using System.Text.Json.Serialization;

namespace RealtimeAspire.Contracts;

/// <summary>
/// The internal HTTP calls between services and from the operator (the Gateway does not route <c>/internal</c>):
/// the header and the paths both sides use, defined once.
/// </summary>
public static class InternalApi
{
    /// <summary>The header an operator presents its key in (drain, signing-key rotation).</summary>
    public const string OperatorKeyHeader = "X-Operator-Key";

    /// <summary>AuthService's lookup of a user by name, answered with <see cref="UserByName"/> or 404.</summary>
    public static string UserByNamePath(string username) => $"/internal/users/by-name/{Uri.EscapeDataString(username)}";

    /// <summary>MessageService's lookup of one message for an edit, delete or reaction by <paramref name="userId"/>: <c>MessageLookup</c> or 404.</summary>
    public static string MessageLookupPath(string room, string messageId, string userId) =>
        $"/internal/rooms/{Uri.EscapeDataString(room)}/messages/{Uri.EscapeDataString(messageId)}?userId={Uri.EscapeDataString(userId)}";
}

/// <summary>AuthService's answer to <see cref="InternalApi.UserByNamePath"/>.</summary>
/// <param name="UserId">The user's id (the tokens' <c>sub</c>).</param>
/// <param name="Username">The user's name.</param>
public sealed record UserByName(string UserId, string Username);

/// <summary>The JSON of the internal answers, source-generated for the services that read them.</summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(UserByName))]
public sealed partial class InternalApiJsonContext : JsonSerializerContext;
