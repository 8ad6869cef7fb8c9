using System.Text.Json;
using System.Text.Json.Serialization;

namespace RealtimeAspire.ConnectionService.Protocol;

public sealed record WelcomeFrame(string ConnectionId, int HeartbeatIntervalMs, string Protocol)
{
    [JsonPropertyOrder(-1)]
    public string Type => "welcome";
}

public sealed record AuthSuccessFrame(string UserId, string Username, string ConnectionId)
{
    [JsonPropertyOrder(-1)]
    public string Type => "auth_success";
}

public sealed record AuthFailedFrame(string Message)
{
    [JsonPropertyOrder(-1)]
    public string Type => "auth_failed";
}

public sealed record PresenceMember(string UserId, string Username);

public sealed record JoinedFrame(string Room, long Seq, bool Recovered, IReadOnlyList<PresenceMember> Members)
{
    [JsonPropertyOrder(-1)]
    public string Type => "joined";
}

public sealed record LeftFrame(string Room)
{
    [JsonPropertyOrder(-1)]
    public string Type => "left";
}

public sealed record PresenceFrame(string Room, IReadOnlyList<PresenceMember> Members)
{
    [JsonPropertyOrder(-1)]
    public string Type => "presence";
}

/// <summary><c>user_joined</c>, <c>user_left</c> and <c>user_typing</c>: the same fields, another type.</summary>
public sealed record RoomUserFrame([property: JsonPropertyOrder(-1)] string Type, string Room, string UserId, string Username);

public static class RoomUserFrameTypes
{
    public const string Joined = "user_joined";
    public const string Left = "user_left";
    public const string Typing = "user_typing";
}

public sealed record PongFrame(string Ts)
{
    [JsonPropertyOrder(-1)]
    public string Type => "pong";
}

public sealed record ErrorFrame(string Code, string Message, string? Id = null, long? RetryAfterMs = null)
{
    [JsonPropertyOrder(-1)]
    public string Type => "error";
}

/// <summary>The answers of MessageService's internal and history endpoints (see docs/architecture.md).</summary>
public sealed record RoomAccess(string Room, bool Exists, string Visibility, bool CanRead);

public sealed record RoomLastSeq(string Room, long LastSeq);

public sealed record UserByName(string UserId, string Username);

/// <summary>An order on rt:control (or rt:user:&lt;id&gt;): kick a user out of a room, or close one connection.</summary>
public sealed record ControlOrder(string Type, string? Room = null, string? UserId = null, string? ConnectionId = null, int? Code = null, string? Reason = null);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WelcomeFrame))]
[JsonSerializable(typeof(AuthSuccessFrame))]
[JsonSerializable(typeof(AuthFailedFrame))]
[JsonSerializable(typeof(JoinedFrame))]
[JsonSerializable(typeof(LeftFrame))]
[JsonSerializable(typeof(PresenceFrame))]
[JsonSerializable(typeof(RoomUserFrame))]
[JsonSerializable(typeof(PongFrame))]
[JsonSerializable(typeof(ErrorFrame))]
[JsonSerializable(typeof(RoomAccess))]
[JsonSerializable(typeof(RoomLastSeq))]
[JsonSerializable(typeof(UserByName))]
[JsonSerializable(typeof(ControlOrder))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(System.Text.Json.JsonElement))]
public sealed partial class ServerJsonContext : JsonSerializerContext;
