using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace RealtimeAspire.Contracts.Frames;

/// <summary>
/// The one encoder and decoder of protocol v1's frames. Encoding writes <c>type</c> first and leaves absent optional
/// fields out; decoding picks the record by <c>type</c>, wherever it stands, and ignores unknown fields.
/// </summary>
public static class FrameCodec
{
    private static FrameJsonContext Json => FrameJsonContext.Default;

    /// <summary>The frame as UTF-8 JSON, serialized once so that every recipient can share the bytes.</summary>
    public static byte[] Encode<T>(T frame) where T : notnull =>
        JsonSerializer.SerializeToUtf8Bytes(frame, TypeInfo<T>());

    /// <summary>Writes the frame into <paramref name="writer"/>, e.g. over a reused buffer.</summary>
    public static void Encode<T>(Utf8JsonWriter writer, T frame) where T : notnull =>
        JsonSerializer.Serialize(writer, frame, TypeInfo<T>());

    /// <summary>The frame as a JSON string.</summary>
    public static string EncodeToString<T>(T frame) where T : notnull =>
        JsonSerializer.Serialize(frame, TypeInfo<T>());

    /// <summary>One record of a known type, e.g. a stored <see cref="MessageFrame"/>.</summary>
    /// <exception cref="JsonException">Not JSON, or a field of the wrong type.</exception>
    public static T Decode<T>(ReadOnlySpan<byte> utf8Json) where T : notnull =>
        JsonSerializer.Deserialize(utf8Json, TypeInfo<T>()) ?? throw new JsonException("A frame is a JSON object, not null.");

    /// <summary>The server frame of its <c>type</c>, or null for a type this version does not know (newer servers may add some).</summary>
    /// <exception cref="JsonException">Not a JSON object with a string <c>type</c>, or a field of the wrong type.</exception>
    public static IServerFrame? DecodeServerFrame(ReadOnlySpan<byte> utf8Json) => RequireType(utf8Json) switch
    {
        FrameTypes.Welcome => Decode<WelcomeFrame>(utf8Json),
        FrameTypes.AuthSuccess => Decode<AuthSuccessFrame>(utf8Json),
        FrameTypes.AuthFailed => Decode<AuthFailedFrame>(utf8Json),
        FrameTypes.Joined => Decode<JoinedFrame>(utf8Json),
        FrameTypes.Left => Decode<LeftFrame>(utf8Json),
        FrameTypes.Ack => Decode<AckFrame>(utf8Json),
        FrameTypes.Message => Decode<MessageFrame>(utf8Json),
        FrameTypes.UserJoined or FrameTypes.UserLeft or FrameTypes.UserTyping => Decode<RoomUserFrame>(utf8Json),
        FrameTypes.Presence => Decode<PresenceFrame>(utf8Json),
        FrameTypes.Pong => Decode<PongFrame>(utf8Json),
        FrameTypes.Notification => Decode<NotificationFrame>(utf8Json),
        FrameTypes.Event => Decode<EventFrame>(utf8Json),
        FrameTypes.Error => Decode<ErrorFrame>(utf8Json),
        FrameTypes.MessageEdited => Decode<MessageEditedFrame>(utf8Json),
        FrameTypes.MessageDeleted => Decode<MessageDeletedFrame>(utf8Json),
        FrameTypes.Reaction => Decode<ReactionFrame>(utf8Json),
        FrameTypes.Read => Decode<ReadFrame>(utf8Json),
        FrameTypes.Receipt => Decode<ReceiptFrame>(utf8Json),
        _ => null,
    };

    /// <summary>
    /// The client frame of its <c>type</c>, or null for an unknown type. Lenient, for clients' test doubles; the
    /// server reads client frames with its strict parser, which names the protocol's error for each problem.
    /// </summary>
    /// <exception cref="JsonException">Not a JSON object with a string <c>type</c>, or a field of the wrong type.</exception>
    public static IClientFrame? DecodeClientFrame(ReadOnlySpan<byte> utf8Json) => RequireType(utf8Json) switch
    {
        FrameTypes.Auth => Decode<AuthRequest>(utf8Json),
        FrameTypes.Join => Decode<JoinRequest>(utf8Json),
        FrameTypes.Leave => Decode<LeaveRequest>(utf8Json),
        FrameTypes.Message => Decode<MessageRequest>(utf8Json),
        FrameTypes.Typing => Decode<TypingRequest>(utf8Json),
        FrameTypes.Presence => Decode<PresenceRequest>(utf8Json),
        FrameTypes.Ping => Decode<PingRequest>(utf8Json),
        FrameTypes.Edit => Decode<EditRequest>(utf8Json),
        FrameTypes.Delete => Decode<DeleteRequest>(utf8Json),
        FrameTypes.React or FrameTypes.Unreact => Decode<ReactionRequest>(utf8Json),
        FrameTypes.Read => Decode<ReadRequest>(utf8Json),
        _ => null,
    };

    /// <summary>
    /// A <c>message</c> frame split around its <c>seq</c>, for the append script, which alone knows the seq:
    /// prefix + seq + suffix is <see cref="Encode{T}(T)"/> of the frame with that seq.
    /// </summary>
    public static SeqSplice SpliceAroundSeq(MessageFrame frame) => SeqSplice.Around(Encode(frame with { Seq = 0 }));

    /// <summary>A message event frame (edit, delete, reaction) split around its <c>seq</c>, as <see cref="SpliceAroundSeq(MessageFrame)"/>.</summary>
    public static SeqSplice SpliceAroundSeq<T>(T frame) where T : IMessageEventFrame => SeqSplice.Around(Encode(frame));

    /// <summary>An <c>ack</c> frame split around its <c>seq</c>, as <see cref="SpliceAroundSeq(MessageFrame)"/>.</summary>
    public static SeqSplice SpliceAroundSeq(AckFrame frame) => SeqSplice.Around(Encode(frame with { Seq = 0 }));

    /// <summary>
    /// The top-level fields fan-out needs, read without building the frame. Never throws: what a malformed frame
    /// does not have stays empty.
    /// </summary>
    public static FrameHeader ReadHeader(ReadOnlySpan<byte> utf8Json)
    {
        string? type = null;
        string? userId = null;
        DateTimeOffset? timestamp = null;
        long seq = 0;
        try
        {
            var reader = new Utf8JsonReader(utf8Json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return default;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueSpan;
                reader.Read();
                if (name.SequenceEqual("type"u8) && reader.TokenType == JsonTokenType.String)
                {
                    type = reader.GetString();
                }
                else if (name.SequenceEqual("seq"u8) && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number))
                {
                    seq = number;
                }
                else if (name.SequenceEqual("userId"u8) && reader.TokenType == JsonTokenType.String)
                {
                    userId = reader.GetString();
                }
                else if (name.SequenceEqual("timestamp"u8) && reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var at))
                {
                    timestamp = at;
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // A frame cut short keeps the fields read before the break.
        }

        return new FrameHeader(type, seq, userId, timestamp);
    }

    private static string RequireType(ReadOnlySpan<byte> utf8Json) =>
        ReadHeader(utf8Json).Type ?? throw new JsonException("A frame is a JSON object with a string \"type\".");

    private static JsonTypeInfo<T> TypeInfo<T>() =>
        Json.GetTypeInfo(typeof(T)) as JsonTypeInfo<T> ?? throw new NotSupportedException($"{typeof(T).Name} is not a frame of the protocol.");
}

/// <summary>A frame's <c>type</c>, <c>seq</c> (0 when absent), <c>userId</c> and <c>timestamp</c>, where it has them.</summary>
public readonly record struct FrameHeader(string? Type, long Seq, string? UserId, DateTimeOffset? Timestamp);
