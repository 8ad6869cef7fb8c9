using System.Text.Json;
using System.Text.Json.Serialization;
using RealtimeAspire.ConnectionService.Services;

namespace RealtimeAspire.ConnectionService.Protocol;

/// <summary>The value of a user's field in a room's presence hash, read by MessageService's presence API too.</summary>
public sealed record PresenceEntry(string UserId, string Username, long ExpiresAt);

/// <summary>ConnectionService's own JSON that is not a frame (frames and shared answers are in RealtimeAspire.Contracts).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(UserByName))]
[JsonSerializable(typeof(PresenceEntry))]
public sealed partial class ServerJsonContext : JsonSerializerContext;
