using System.Text.Json;
using RealtimeAspire.Contracts.Frames;
using RealtimeAspire.MessageService.Data;

namespace RealtimeAspire.MessageService.Rooms;

/// <summary>
/// A message's current state from its row and its events (protocol.md §7): the latest edit's content and time, a
/// tombstone once deleted, and per emoji the users whose latest reaction event with it was an <c>add</c>. Events are
/// applied in seq order, so the same rows give the same state whether they came from PostgreSQL or the hand-off.
/// </summary>
public static class MessageStates
{
    public static MessageFrame Current(StoredMessage message, IEnumerable<StoredMessage> events)
    {
        var frame = StoredMessageFrames.From(message);
        var ordered = events.Where(e => e.MessageId == message.MessageId && e.Seq > message.Seq).OrderBy(e => e.Seq).ToList();
        if (ordered.Any(e => e.Kind == FrameTypes.MessageDeleted))
        {
            return frame with { Content = null, Data = null, Deleted = true };
        }

        if (ordered.LastOrDefault(e => e.Kind == FrameTypes.MessageEdited) is { } edit)
        {
            frame = frame with { Content = edit.Content, Data = edit.Data is null ? null : JsonElement.Parse(edit.Data), EditedAt = edit.Timestamp };
        }

        var reactions = ReactionsOf(ordered)
            .GroupBy(reaction => reaction.Emoji)
            .ToDictionary(group => group.Key, group => group.Count(), StringComparer.Ordinal);
        return reactions.Count == 0 ? frame : frame with { Reactions = reactions };
    }

    /// <summary>Each (user, emoji) whose latest reaction event is an <c>add</c>.</summary>
    public static IEnumerable<(string UserId, string Emoji)> ReactionsOf(IEnumerable<StoredMessage> events) => events
        .Where(e => e is { Kind: FrameTypes.Reaction, Emoji: not null })
        .GroupBy(e => (e.UserId, Emoji: e.Emoji!))
        .Where(group => group.MaxBy(e => e.Seq)!.Op == ReactionFrame.Add)
        .Select(group => group.Key);
}
