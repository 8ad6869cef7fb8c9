using System.Text.Json.Serialization;

namespace RealtimeAspire.Client.Protocol;

internal sealed record AuthRequest(string Token)
{
    [JsonPropertyOrder(-1)]
    public string Type => "auth";
}

internal sealed record JoinRequest(string Room, long? Since)
{
    [JsonPropertyOrder(-1)]
    public string Type => "join";
}

internal sealed record RoomRequest(string Type, string Room);

internal sealed record MessageRequest(string Room, string Content, string Id)
{
    [JsonPropertyOrder(-1)]
    public string Type => "message";
}

internal sealed record PingRequest
{
    [JsonPropertyOrder(-1)]
    public string Type => "ping";
}
