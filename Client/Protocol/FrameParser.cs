using System.Text.Json;

namespace RealtimeAspire.Client.Protocol;

/// <summary>Turns one server frame into its typed record, by the frame's <c>type</c>.</summary>
internal static class FrameParser
{
    /// <summary>The typed frame, or null for a type this client does not know (newer servers may add some).</summary>
    /// <exception cref="JsonException">The frame is not a JSON object with a string <c>type</c>.</exception>
    public static object? Parse(ReadOnlySpan<byte> utf8)
    {
        var context = ProtocolJsonContext.Default;
        return ReadType(utf8) switch
        {
            "message" => JsonSerializer.Deserialize(utf8, context.ChatMessage),
            "ack" => JsonSerializer.Deserialize(utf8, context.MessageAck),
            "joined" => JsonSerializer.Deserialize(utf8, context.JoinedRoom),
            "left" => JsonSerializer.Deserialize(utf8, context.LeftFrame),
            "user_joined" => JsonSerializer.Deserialize(utf8, context.UserJoined),
            "user_left" => JsonSerializer.Deserialize(utf8, context.UserLeft),
            "user_typing" => JsonSerializer.Deserialize(utf8, context.UserTyping),
            "presence" => JsonSerializer.Deserialize(utf8, context.RoomPresence),
            "notification" => JsonSerializer.Deserialize(utf8, context.Notification),
            "error" => JsonSerializer.Deserialize(utf8, context.ServerError),
            "pong" => PongFrame.Instance, // its ts is informational; its arrival is what counts
            "welcome" => JsonSerializer.Deserialize(utf8, context.WelcomeFrame),
            "auth_success" => JsonSerializer.Deserialize(utf8, context.AuthSuccessFrame),
            "auth_failed" => JsonSerializer.Deserialize(utf8, context.AuthFailedFrame),
            _ => null,
        };
    }

    private static string ReadType(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A frame must be a JSON object.");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isType = reader.ValueTextEquals("type"u8);
            reader.Read();
            if (isType && reader.TokenType == JsonTokenType.String)
            {
                return reader.GetString()!;
            }

            reader.Skip();
        }

        throw new JsonException("A frame must have a string 'type'.");
    }
}
