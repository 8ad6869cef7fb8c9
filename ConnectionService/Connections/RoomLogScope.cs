using System.Collections;

namespace RealtimeAspire.ConnectionService.Connections;

/// <summary>Adds the room a frame is about to the log lines written while it is handled.</summary>
public sealed record RoomLogScope(string Room) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 1;

    public KeyValuePair<string, object?> this[int index] =>
        index == 0 ? new("Room", Room) : throw new ArgumentOutOfRangeException(nameof(index));

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        yield return this[0];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"Room {Room}";
}
