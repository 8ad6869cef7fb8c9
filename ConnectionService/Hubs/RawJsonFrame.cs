using System.Text.Json;
using System.Text.Json.Serialization;

namespace RealtimeAspire.ConnectionService.Hubs;

/// <summary>A server frame's JSON, written into SignalR messages as it is: the same bytes a WebSocket client gets.</summary>
[JsonConverter(typeof(RawJsonFrameConverter))]
public sealed record RawJsonFrame(ReadOnlyMemory<byte> Utf8Json);

public sealed class RawJsonFrameConverter : JsonConverter<RawJsonFrame>
{
    public override RawJsonFrame Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Frames are only written.");

    public override void Write(Utf8JsonWriter writer, RawJsonFrame value, JsonSerializerOptions options) =>
        // The server serialized these bytes itself; they need no second check.
        writer.WriteRawValue(value.Utf8Json.Span, skipInputValidation: true);
}
