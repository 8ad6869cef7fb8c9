using System.Text.Json.Serialization;

namespace RealtimeAspire.Contracts.Frames;

#pragma warning disable CS1591 // the fields are the protocol's (protocol.md §7); docs/protocol.md adds userId to the first two

/// <summary>
/// A room event about one message (edit, delete, reaction): it has its own <c>seq</c> in the room's sequence and goes
/// through the same hand-off as a message. <see cref="MessageId"/> names the message it changes.
/// </summary>
public interface IMessageEventFrame : IServerFrame
{
    string Room { get; }

    long Seq { get; }

    string MessageId { get; }

    /// <summary>Who did it: the editor, the deleter, the reacting user.</summary>
    string UserId { get; }
}

/// <summary>
/// <c>message_edited</c>: the message's new content and data (each replaces the old one, absent is none); both are
/// left out once the message was deleted.
/// </summary>
public sealed record MessageEditedFrame(
    string Room,
    long Seq,
    string MessageId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Content,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] System.Text.Json.JsonElement? Data,
    [property: JsonConverter(typeof(TimestampConverter))] DateTimeOffset EditedAt,
    string UserId) : IMessageEventFrame
{
    [JsonPropertyOrder(-1)]
    public string Type => FrameTypes.MessageEdited;

    public bool Equals(MessageEditedFrame? other) =>
        other is not null
        && (Room, Seq, MessageId, Content, EditedAt, UserId) == (other.Room, other.Seq, other.MessageId, other.Content, other.EditedAt, other.UserId)
        && StructuredData.Same(Data, other.Data);

    public override int GetHashCode() => HashCode.Combine(Room, Seq, MessageId);
}

/// <summary><c>message_deleted</c>: the message is a tombstone from here on.</summary>
public sealed record MessageDeletedFrame(string Room, long Seq, string MessageId, string UserId) : IMessageEventFrame
{
    [JsonPropertyOrder(-1)]
    public string Type => FrameTypes.MessageDeleted;
}

/// <summary><c>reaction</c>: <see cref="Op"/> is <c>add</c> or <c>remove</c> of one user's emoji on one message.</summary>
public sealed record ReactionFrame(string Room, long Seq, string MessageId, string Emoji, string UserId, string Op) : IMessageEventFrame
{
    public const string Add = "add";
    public const string Remove = "remove";

    [JsonPropertyOrder(-1)]
    public string Type => FrameTypes.Reaction;
}

/// <summary>Nullable timestamps (a message's <c>editedAt</c>) in the protocol's format.</summary>
public sealed class NullableTimestampConverter : JsonConverter<DateTimeOffset?>
{
    private static readonly TimestampConverter Inner = new();

    /// <inheritdoc/>
    public override DateTimeOffset? Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options) =>
        reader.TokenType == System.Text.Json.JsonTokenType.Null ? null : Inner.Read(ref reader, typeof(DateTimeOffset), options);

    /// <inheritdoc/>
    public override void Write(System.Text.Json.Utf8JsonWriter writer, DateTimeOffset? value, System.Text.Json.JsonSerializerOptions options)
    {
        if (value is { } time)
        {
            Inner.Write(writer, time, options);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}

/// <summary>The frames that take a seq of the room's one sequence: messages and the events about them.</summary>
public static class RoomSequence
{
    /// <summary>Whether a frame of this <c>type</c> has a place in the room's seq (recovered by <c>join</c> with <c>since</c>).</summary>
    public static bool IsSequenced(string? type) =>
        type is FrameTypes.Message or FrameTypes.MessageEdited or FrameTypes.MessageDeleted or FrameTypes.Reaction;
}
