namespace RealtimeAspire.Client;

/// <summary>
/// Requests waiting for their answer (<c>joined</c>, <c>left</c>, <c>presence</c>), matched by kind and room in
/// the order they were sent. An <c>error</c> carries no request id: it goes to the oldest request of its room
/// when the server names the room, else to the oldest request of all (the server answers a connection in order).
/// </summary>
internal sealed class PendingReplies
{
    private readonly List<Entry> _entries = [];

    public Entry Add(string kind, string room)
    {
        var entry = new Entry(kind, room);
        lock (_entries)
        {
            _entries.Add(entry);
        }

        return entry;
    }

    public bool Complete(string kind, string room, object answer) =>
        Take(e => e.Kind == kind && e.Room == room)?.Reply.TrySetResult(answer) ?? false;

    public bool Fail(string? room, Exception error)
    {
        if (Take(e => room is null || e.Room == room) is not { } entry)
        {
            return false;
        }

        entry.Reply.TrySetException(error);
        _ = entry.Reply.Task.Exception; // observed even if its caller gave up waiting
        return true;
    }

    public void Remove(Entry entry)
    {
        lock (_entries)
        {
            _entries.Remove(entry);
        }
    }

    public void FailAll(Exception error)
    {
        Entry[] entries;
        lock (_entries)
        {
            entries = [.. _entries];
            _entries.Clear();
        }

        foreach (var entry in entries)
        {
            entry.Reply.TrySetException(error);
            _ = entry.Reply.Task.Exception; // observed even if its caller gave up waiting
        }
    }

    private Entry? Take(Predicate<Entry> match)
    {
        lock (_entries)
        {
            var index = _entries.FindIndex(match);
            if (index < 0)
            {
                return null;
            }

            var entry = _entries[index];
            _entries.RemoveAt(index);
            return entry;
        }
    }

    internal sealed class Entry(string kind, string room)
    {
        public string Kind { get; } = kind;

        public string Room { get; } = room;

        public TaskCompletionSource<object> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
