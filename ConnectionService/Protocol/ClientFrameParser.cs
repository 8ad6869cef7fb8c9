using System.Text;
using System.Text.Json;
using RealtimeAspire.Contracts;
using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.ConnectionService.Protocol;

/// <summary>
/// Parses one client text frame strictly: the JSON must be one well-formed object, every known field must have
/// its type, and the fields a type needs must be there. Unknown fields are ignored; a repeated field is refused.
/// Never throws for any input: every problem becomes the error code the protocol names.
/// </summary>
public sealed class ClientFrameParser(int maxContentLength, int maxDataBytes = StructuredData.DefaultMaxBytes)
{
    public const int MaxClientIdLength = 128;
    public const int MaxTokenLength = 8 * 1024;
    public const int MaxEmojiLength = 32;
    public const int MaxMessageIdLength = 64;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 16 };

    public ParseResult Parse(ReadOnlySpan<byte> utf8Json)
    {
        RawFields fields;
        try
        {
            if (!TryReadFields(utf8Json, out fields, out var shapeError))
            {
                return ParseResult.Failure(ErrorCodes.InvalidMessage, shapeError);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            // Utf8JsonReader reports malformed JSON (and malformed UTF-8 inside strings) by throwing.
            return ParseResult.Failure(ErrorCodes.InvalidJson, "The frame is not valid JSON.");
        }

        return Validate(fields);
    }

    /// <summary>
    /// Checks a frame another transport built from typed arguments (the SignalR hub) by the same rules as
    /// <see cref="Parse"/>, with the same errors: nothing is written as JSON to be read again.
    /// </summary>
    public ParseResult Check(ClientFrame frame)
    {
        var fields = new RawFields { Type = TypeName(frame.Type), Room = frame.Room, Content = frame.Content, Emoji = frame.Emoji, Forget = frame.Forget };
        fields.MessageId = Limit(frame.MessageId, "messageId", MaxMessageIdLength, ref fields.Error);
        if (frame.Data is { } data)
        {
            if (data.ValueKind is JsonValueKind.Object)
            {
                fields.Data = data;
                fields.DataBytes = Encoding.UTF8.GetByteCount(data.GetRawText());
            }
            else if (data.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
            {
                fields.Error ??= "\"data\" must be a JSON object.";
            }
        }

        fields.Token = Limit(frame.Token, "token", MaxTokenLength, ref fields.Error);
        fields.Id = Limit(frame.Id, "id", MaxClientIdLength, ref fields.Error);
        if (fields.Id is { Length: 0 })
        {
            fields.Error ??= "\"id\" must not be empty.";
            fields.Id = null;
        }

        if (frame.Since is < 0)
        {
            fields.Error ??= "\"since\" must be a non-negative integer.";
        }
        else
        {
            fields.Since = frame.Since;
        }

        if (frame.Seq is < 0)
        {
            fields.Error ??= "\"seq\" must be a non-negative integer.";
        }
        else
        {
            fields.Seq = frame.Seq;
        }

        return Validate(fields);
    }

    private ParseResult Validate(RawFields fields)
    {
        if (fields.Type is null)
        {
            return ParseResult.Failure(ErrorCodes.InvalidMessage, fields.Error ?? "The frame needs a string \"type\".", fields.Id);
        }

        if (!TryGetType(fields.Type, out var type))
        {
            return ParseResult.Failure(ErrorCodes.UnknownType, "Unknown frame type.", fields.Id);
        }

        if (fields.Error is not null)
        {
            return ParseResult.Failure(ErrorCodes.InvalidMessage, fields.Error, fields.Id);
        }

        var frame = new ClientFrame(type)
        {
            Token = fields.Token,
            Room = fields.Room,
            Since = fields.Since,
            Seq = fields.Seq,
            Forget = fields.Forget,
            Content = fields.Content,
            Data = fields.Data,
            Id = fields.Id,
            MessageId = fields.MessageId,
            Emoji = fields.Emoji,
        };

        return type switch
        {
            ClientFrameType.Auth => string.IsNullOrEmpty(fields.Token)
                ? ParseResult.Failure(ErrorCodes.InvalidMessage, "auth needs a non-empty string \"token\".", fields.Id)
                : ParseResult.Success(frame),
            ClientFrameType.Ping => ParseResult.Success(frame),
            ClientFrameType.Message => ValidateMessage(frame, fields.DataBytes),
            ClientFrameType.Edit => RequireMessageId(frame) ?? ValidateMessage(frame, fields.DataBytes),
            ClientFrameType.Delete => RequireMessageId(frame) ?? ValidateRoom(frame),
            ClientFrameType.React or ClientFrameType.Unreact => RequireMessageId(frame) ?? ValidateReaction(frame),
            ClientFrameType.Read when frame.Seq is null => ParseResult.Failure(ErrorCodes.InvalidMessage, "read needs a non-negative integer \"seq\".", fields.Id),
            _ => ValidateRoom(frame),
        };
    }

    private static ParseResult? RequireMessageId(ClientFrame frame) => string.IsNullOrEmpty(frame.MessageId)
        ? ParseResult.Failure(ErrorCodes.InvalidMessage, "This frame needs a non-empty string \"messageId\".", frame.Id)
        : null;

    private static ParseResult ValidateReaction(ClientFrame frame)
    {
        if (string.IsNullOrEmpty(frame.Emoji) || frame.Emoji.Contains('\0'))
        {
            return ParseResult.Failure(ErrorCodes.InvalidMessage, "This frame needs a non-empty string \"emoji\" without U+0000.", frame.Id);
        }

        if (CountCodePoints(frame.Emoji) > MaxEmojiLength)
        {
            return ParseResult.Failure(ErrorCodes.InvalidMessage, $"\"emoji\" is longer than {MaxEmojiLength} characters.", frame.Id);
        }

        return ValidateRoom(frame);
    }

    private ParseResult ValidateMessage(ClientFrame frame, int dataBytes)
    {
        if (frame.Content is null && frame.Data is null)
        {
            return ParseResult.Failure(ErrorCodes.InvalidMessage, $"{TypeName(frame.Type)} needs a string \"content\" or an object \"data\".", frame.Id);
        }

        var room = ValidateRoom(frame);
        if (room.Frame is null)
        {
            return room;
        }

        if (frame.Data is { } data)
        {
            if (dataBytes > maxDataBytes)
            {
                return ParseResult.Failure(ErrorCodes.DataTooLarge, $"\"data\" is larger than {maxDataBytes} bytes.", frame.Id);
            }

            if (StructuredData.Unstorable(data) is { } problem)
            {
                return ParseResult.Failure(ErrorCodes.InvalidMessage, problem, frame.Id);
            }
        }

        return frame.Content is null ? ParseResult.Success(frame) : ValidateContent(frame);
    }

    private ParseResult ValidateContent(ClientFrame frame)
    {
        var content = frame.Content!;
        if (content.Length == 0)
        {
            return ParseResult.Failure(ErrorCodes.InvalidMessage, "\"content\" must not be empty.", frame.Id);
        }

        // PostgreSQL text cannot store U+0000: refused here, so what is delivered is exactly what history returns.
        if (content.Contains('\0'))
        {
            return ParseResult.Failure(ErrorCodes.InvalidMessage, "\"content\" must not contain U+0000.", frame.Id);
        }

        // Characters are Unicode code points: an emoji counts once, not as two UTF-16 halves.
        var length = content.Length <= maxContentLength ? content.Length : CountCodePoints(content);
        return length > maxContentLength
            ? ParseResult.Failure(ErrorCodes.ContentTooLong, $"\"content\" is longer than {maxContentLength} characters.", frame.Id)
            : ParseResult.Success(frame);
    }

    private static ParseResult ValidateRoom(ClientFrame frame)
    {
        if (frame.Room is null)
        {
            return ParseResult.Failure(ErrorCodes.InvalidMessage, "This frame needs a string \"room\".", frame.Id);
        }

        return RoomIds.IsValid(frame.Room)
            ? ParseResult.Success(frame)
            : ParseResult.Failure(ErrorCodes.InvalidRoom, "Room ids match ^[A-Za-z0-9_.:-]{1,128}$.", frame.Id);
    }

    private static int CountCodePoints(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    private static bool TryGetType(string name, out ClientFrameType type)
    {
        type = name switch
        {
            FrameTypes.Auth => ClientFrameType.Auth,
            FrameTypes.Join => ClientFrameType.Join,
            FrameTypes.Leave => ClientFrameType.Leave,
            FrameTypes.Message => ClientFrameType.Message,
            FrameTypes.Typing => ClientFrameType.Typing,
            FrameTypes.Presence => ClientFrameType.Presence,
            FrameTypes.Ping => ClientFrameType.Ping,
            FrameTypes.Edit => ClientFrameType.Edit,
            FrameTypes.Delete => ClientFrameType.Delete,
            FrameTypes.React => ClientFrameType.React,
            FrameTypes.Unreact => ClientFrameType.Unreact,
            FrameTypes.Read => ClientFrameType.Read,
            _ => (ClientFrameType)(-1),
        };
        return Enum.IsDefined(type);
    }

    private static string TypeName(ClientFrameType type) => type switch
    {
        ClientFrameType.Auth => FrameTypes.Auth,
        ClientFrameType.Join => FrameTypes.Join,
        ClientFrameType.Leave => FrameTypes.Leave,
        ClientFrameType.Message => FrameTypes.Message,
        ClientFrameType.Typing => FrameTypes.Typing,
        ClientFrameType.Presence => FrameTypes.Presence,
        ClientFrameType.Ping => FrameTypes.Ping,
        ClientFrameType.Edit => FrameTypes.Edit,
        ClientFrameType.Delete => FrameTypes.Delete,
        ClientFrameType.React => FrameTypes.React,
        ClientFrameType.Unreact => FrameTypes.Unreact,
        ClientFrameType.Read => FrameTypes.Read,
        _ => "",
    };

    private static string? Limit(string? value, string name, int maxLength, ref string? error)
    {
        if (value is null || value.Length <= maxLength)
        {
            return value;
        }

        error ??= $"\"{name}\" is too long.";
        return null;
    }

    private static bool TryReadFields(ReadOnlySpan<byte> utf8Json, out RawFields fields, out string shapeError)
    {
        fields = new RawFields();
        shapeError = "";
        var reader = new Utf8JsonReader(utf8Json, ReaderOptions);
        if (!reader.Read())
        {
            throw new JsonException("empty");
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            EnsureEnd(ref reader);
            shapeError = "A frame is one JSON object.";
            return false;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            if (!seen.Add(name))
            {
                fields.Error ??= $"The field \"{Truncate(name)}\" appears twice.";
            }

            ReadField(ref reader, name, ref fields);
        }

        EnsureEnd(ref reader);
        return true;
    }

    private static void ReadField(ref Utf8JsonReader reader, string name, ref RawFields fields)
    {
        switch (name)
        {
            case "type":
                fields.Type = ReadString(ref reader, name, 64, ref fields.Error);
                break;
            case "token":
                fields.Token = ReadString(ref reader, name, MaxTokenLength, ref fields.Error);
                break;
            case "room":
                fields.Room = ReadString(ref reader, name, int.MaxValue, ref fields.Error);
                break;
            case "content":
                fields.Content = ReadString(ref reader, name, int.MaxValue, ref fields.Error);
                break;
            case "data":
                ReadData(ref reader, ref fields);
                break;
            case "id":
                fields.Id = ReadString(ref reader, name, MaxClientIdLength, ref fields.Error);
                if (fields.Id is { Length: 0 })
                {
                    fields.Error ??= "\"id\" must not be empty.";
                    fields.Id = null;
                }

                break;
            case "since":
                fields.Since = ReadSeq(ref reader, name, ref fields.Error);
                break;
            case "seq":
                fields.Seq = ReadSeq(ref reader, name, ref fields.Error);
                break;
            case "forget":
                fields.Forget = ReadFlag(ref reader, name, ref fields.Error);
                break;
            case "messageId":
                fields.MessageId = ReadString(ref reader, name, MaxMessageIdLength, ref fields.Error);
                break;
            case "emoji":
                fields.Emoji = ReadString(ref reader, name, int.MaxValue, ref fields.Error);
                break;
            default:
                reader.Skip();
                break;
        }
    }

    private static string? ReadString(ref Utf8JsonReader reader, string name, int maxLength, ref string? error)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            error ??= $"\"{name}\" must be a string.";
            return null;
        }

        return Limit(reader.GetString()!, name, maxLength, ref error);
    }

    private static void ReadData(ref Utf8JsonReader reader, ref RawFields fields)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            fields.Error ??= "\"data\" must be a JSON object.";
            return;
        }

        // The size is of the object's text as the client sent it; ParseValue keeps that text for the codec.
        var start = reader.TokenStartIndex;
        fields.Data = JsonElement.ParseValue(ref reader);
        fields.DataBytes = (int)(reader.BytesConsumed - start);
    }

    private static long? ReadSeq(ref Utf8JsonReader reader, string name, ref string? error)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var seq) && seq >= 0)
        {
            return seq;
        }

        reader.Skip();
        error ??= $"\"{name}\" must be a non-negative integer.";
        return null;
    }

    private static bool ReadFlag(ref Utf8JsonReader reader, string name, ref string? error)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.True:
                return true;
            case JsonTokenType.False or JsonTokenType.Null:
                return false;
            default:
                reader.Skip();
                error ??= $"\"{name}\" must be true or false.";
                return false;
        }
    }

    private static void EnsureEnd(ref Utf8JsonReader reader)
    {
        // Anything after the object (a second value, garbage) makes the frame malformed: Read throws on it.
        if (reader.Read())
        {
            throw new JsonException("trailing data");
        }
    }

    private static string Truncate(string name) => name.Length <= 32 ? name : name[..32];

    private struct RawFields
    {
        public string? Type;
        public string? Token;
        public string? Room;
        public string? Content;
        public JsonElement? Data;
        public int DataBytes;
        public string? Id;
        public string? MessageId;
        public string? Emoji;
        public long? Since;
        public long? Seq;
        public bool Forget;
        public string? Error;
    }
}
