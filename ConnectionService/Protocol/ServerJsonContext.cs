using System.Text.Json;
using System.Text.Json.Serialization;
using RealtimeAspire.ConnectionService.Upstream;

namespace RealtimeAspire.ConnectionService.Protocol;

/// <summary>ConnectionService's own JSON that is not a frame (frames and shared answers are in RealtimeAspire.Contracts).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(UserByName))]
public sealed partial class ServerJsonContext : JsonSerializerContext;
