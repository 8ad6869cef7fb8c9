using System.Collections.Concurrent;
using RealtimeAspire.Client;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Reliability;

/// <summary>One message of a run: the client's id and content, and its ack once it came.</summary>
public sealed class SentMessage(int client, string id, string content, DateTimeOffset firstSentAt)
{
    public int Client { get; } = client;

    public string Id { get; } = id;

    public string Content { get; } = content;

    public DateTimeOffset FirstSentAt { get; } = firstSentAt;

    public MessageAck? Ack { get; private set; }

    public DateTimeOffset? AckedAt { get; private set; }

    public int Attempts { get; set; }

    public void Acked(MessageAck ack, DateTimeOffset at) => (Ack, AckedAt) = (ack, at);
}

/// <summary>
/// A <see cref="RealtimeClient"/> of its own user in the run's room, and what it saw: every message it received
/// (by seq), duplicates, the close codes of the connections it lost, and the messages it sent.
/// </summary>
public sealed class TrafficClient(int index, TestUser user, RealtimeClient client, string room) : IAsyncDisposable
{
    private int _duplicates;

    public int Index { get; } = index;

    public TestUser User { get; } = user;

    public RealtimeClient Client { get; } = client;

    public string Room { get; } = room;

    /// <summary>seq → messageId of every message of the room this client received.</summary>
    public ConcurrentDictionary<long, string> Received { get; } = new();

    /// <summary>Close codes of the connections the client lost (null: dropped without a close frame).</summary>
    public ConcurrentQueue<int?> LostConnections { get; } = new();

    public ConcurrentQueue<SentMessage> Sent { get; } = new();

    public int Duplicates => Volatile.Read(ref _duplicates);

    /// <summary>The replica of the current connection: the first part of the connection id (docs/protocol.md).</summary>
    public string? Replica => Client.ConnectionId is { } id ? id[..id.IndexOf('.')] : null;

    public static TrafficClient Create(int index, TestUser user, RealtimeClient client, string room)
    {
        var traffic = new TrafficClient(index, user, client, room);
        client.MessageReceived += (_, message) =>
        {
            if (message.Room == room && !traffic.Received.TryAdd(message.Seq, message.MessageId))
            {
                Interlocked.Increment(ref traffic._duplicates);
            }
        };
        client.StateChanged += (_, change) =>
        {
            if (change.State == RealtimeConnectionState.Reconnecting)
            {
                traffic.LostConnections.Enqueue(change.CloseCode);
            }
        };
        return traffic;
    }

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}
