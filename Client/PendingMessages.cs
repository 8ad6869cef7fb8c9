using RealtimeAspire.Client.Protocol;
using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.Client;

/// <summary>Sent messages not yet acknowledged, by client id, kept for resending after a reconnect.</summary>
internal sealed class PendingMessages
{
    private readonly Dictionary<string, Entry> _entries = [];
    private long _order;

    public Entry Add(MessageRequest request)
    {
        lock (_entries)
        {
            // The client gives every message its id (the caller's or a new one); the ack is matched by it.
            var id = request.Id ?? throw new ArgumentException("A pending message needs its client id.", nameof(request));
            var entry = new Entry(request, _order++);
            if (!_entries.TryAdd(id, entry))
            {
                throw new InvalidOperationException($"A message with id '{request.Id}' is already waiting for its ack.");
            }

            return entry;
        }
    }

    public void Complete(MessageAck ack) => Take(ack.Id)?.Ack.TrySetResult(ack);

    public bool Fail(string id, Exception error)
    {
        if (Take(id) is not { } entry)
        {
            return false;
        }

        entry.Ack.TrySetException(error);
        _ = entry.Ack.Task.Exception; // observed even if its caller gave up waiting
        return true;
    }

    public void Remove(Entry entry)
    {
        lock (_entries)
        {
            if (_entries.TryGetValue(entry.Request.Id!, out var current) && current == entry)
            {
                _entries.Remove(entry.Request.Id!);
            }
        }
    }

    /// <summary>The waiting messages in the order they were first sent.</summary>
    public IReadOnlyList<MessageRequest> Snapshot()
    {
        lock (_entries)
        {
            return [.. _entries.Values.OrderBy(e => e.Order).Select(e => e.Request)];
        }
    }

    public void FailAll(Exception error)
    {
        Entry[] entries;
        lock (_entries)
        {
            entries = [.. _entries.Values];
            _entries.Clear();
        }

        foreach (var entry in entries)
        {
            entry.Ack.TrySetException(error);
            _ = entry.Ack.Task.Exception; // observed even if its caller gave up waiting
        }
    }

    private Entry? Take(string id)
    {
        lock (_entries)
        {
            return _entries.Remove(id, out var entry) ? entry : null;
        }
    }

    internal sealed class Entry(MessageRequest request, long order)
    {
        public MessageRequest Request { get; } = request;

        public long Order { get; } = order;

        public TaskCompletionSource<MessageAck> Ack { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
