using System.Text.Json;

namespace RealtimeAspire.ConnectionService.Hubs;

/// <summary>The argument of <see cref="RealtimeHub.SendMessage"/>: the fields of a <c>message</c> frame after <c>room</c>.</summary>
public sealed record HubMessage(string? Content, JsonElement? Data, string? Id);
