using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RealtimeAspire.Contracts.Frames;

/// <summary>The one serializer setup of every frame: camelCase, absent optional fields left out.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WelcomeFrame))]
[JsonSerializable(typeof(AuthSuccessFrame))]
[JsonSerializable(typeof(AuthFailedFrame))]
[JsonSerializable(typeof(JoinedFrame))]
[JsonSerializable(typeof(LeftFrame))]
[JsonSerializable(typeof(AckFrame))]
[JsonSerializable(typeof(MessageFrame))]
[JsonSerializable(typeof(RoomUserFrame))]
[JsonSerializable(typeof(PresenceFrame))]
[JsonSerializable(typeof(PongFrame))]
[JsonSerializable(typeof(NotificationFrame))]
[JsonSerializable(typeof(EventFrame))]
[JsonSerializable(typeof(ErrorFrame))]
[JsonSerializable(typeof(MessageEditedFrame))]
[JsonSerializable(typeof(MessageDeletedFrame))]
[JsonSerializable(typeof(ReactionFrame))]
[JsonSerializable(typeof(ReadFrame))]
[JsonSerializable(typeof(ReceiptFrame))]
[JsonSerializable(typeof(AuthRequest))]
[JsonSerializable(typeof(JoinRequest))]
[JsonSerializable(typeof(LeaveRequest))]
[JsonSerializable(typeof(MessageRequest))]
[JsonSerializable(typeof(TypingRequest))]
[JsonSerializable(typeof(PresenceRequest))]
[JsonSerializable(typeof(PingRequest))]
[JsonSerializable(typeof(EditRequest))]
[JsonSerializable(typeof(DeleteRequest))]
[JsonSerializable(typeof(ReactionRequest))]
[JsonSerializable(typeof(MessageLookup))]
[JsonSerializable(typeof(ReadRequest))]
[JsonSerializable(typeof(ReadPositionRequest))]
[JsonSerializable(typeof(ReadPositionResponse))]
[JsonSerializable(typeof(ControlOrder))]
[JsonSerializable(typeof(MessagesPage))]
[JsonSerializable(typeof(RoomAccessResponse))]
[JsonSerializable(typeof(LastSeqResponse))]
[JsonSerializable(typeof(string))]
public sealed partial class FrameJsonContext : JsonSerializerContext;

/// <summary>Timestamps in the protocol's format (<see cref="Timestamps"/>), read leniently as any ISO 8601 time.</summary>
public sealed class TimestampConverter : JsonConverter<DateTimeOffset>
{
    /// <inheritdoc/>
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        // A time without an offset is UTC, as every time of the protocol is.
        if (reader.TokenType == JsonTokenType.String && DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }

        throw new JsonException("A timestamp is an ISO 8601 string.");
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Timestamps.Write(value));
}
