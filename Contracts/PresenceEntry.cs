using System.Text.Json;
using System.Text.Json.Serialization;

namespace RealtimeAspire.Contracts;

/// <summary>
/// The value of a user's field in a room's presence hash (<see cref="RedisSchema.Presence"/>): written by
/// ConnectionService, renewed while the user stays, read by MessageService's presence API too.
/// </summary>
/// <param name="UserId">The user the field belongs to (also the field's name).</param>
/// <param name="Username">The user's name, as presence lists show it.</param>
/// <param name="ExpiresAt">Unix milliseconds after which the entry is a dead replica's leftover.</param>
public sealed record PresenceEntry(string UserId, string Username, long ExpiresAt)
{
    /// <summary>The entry as stored: <c>{"userId","username","expiresAt"}</c>.</summary>
    public string Write() => JsonSerializer.Serialize(this, PresenceJsonContext.Default.PresenceEntry);

    /// <summary>The stored entry, or null when <paramref name="json"/> is empty or not JSON of this shape.</summary>
    public static PresenceEntry? TryRead(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(json, PresenceJsonContext.Default.PresenceEntry);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PresenceEntry))]
internal sealed partial class PresenceJsonContext : JsonSerializerContext;
