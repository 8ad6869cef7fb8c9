using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.Client;

// Incoming frames: answers to requests, deduplicated room messages, and events to handlers and readers.
public sealed partial class RealtimeClient
{
    private readonly List<Channel<RealtimeEvent>> _readers = [];

    private async ValueTask DispatchAsync(object frame, CancellationToken cancellationToken)
    {
        switch (frame)
        {
            case ChatMessage message:
                if (!_rooms.TryGetValue(message.Room, out var room) || room.Accept(message.Seq))
                {
                    await RaiseAsync(message, cancellationToken);
                }

                break;
            case MessageAck ack:
                _messages.Complete(ack);
                break;
            case JoinedRoom joined:
                _rooms.AddOrUpdate(joined.Room, static (_, seq) => new RoomState(seq), static (_, state, seq) =>
                {
                    state.Joined(seq);
                    return state;
                }, joined.Seq);
                _replies.Complete("join", joined.Room, joined);
                break;
            case LeftFrame left:
                _rooms.TryRemove(left.Room, out _);
                if (!_replies.Complete("leave", left.Room, left))
                {
                    await RaiseAsync(new RoomRemoval(left.Room), cancellationToken);
                }

                break;
            case RoomPresence presence:
                _replies.Complete("presence", presence.Room, presence);
                break;
            case ServerError error:
                var failure = new RealtimeErrorException(error);
                if (!(error.Id is not null && _messages.Fail(error.Id, failure)) && !_replies.Fail(error.Room, failure))
                {
                    await RaiseAsync(error, cancellationToken);
                }

                break;
            case RealtimeEvent other:
                await RaiseAsync(other, cancellationToken);
                break;
        }
    }

    private async ValueTask RaiseAsync(RealtimeEvent item, CancellationToken cancellationToken)
    {
        InvokeHandlers(item);
        foreach (var reader in SnapshotReaders())
        {
            try
            {
                await reader.Writer.WriteAsync(item, cancellationToken);
            }
            catch (ChannelClosedException)
            {
                // That reader stopped reading.
            }
        }
    }

    private void InvokeHandlers(RealtimeEvent item)
    {
        try
        {
            switch (item)
            {
                case ChatMessage message: MessageReceived?.Invoke(this, message); break;
                case UserJoined joined: MemberJoined?.Invoke(this, joined); break;
                case UserLeft left: MemberLeft?.Invoke(this, left); break;
                case UserTyping typing: TypingReceived?.Invoke(this, typing); break;
                case Notification notification: NotificationReceived?.Invoke(this, notification); break;
                case ServerError error: ErrorReceived?.Invoke(this, error); break;
                case RoomRejoined rejoined: Rejoined?.Invoke(this, rejoined); break;
                case RoomRemoval removal: RemovedFromRoom?.Invoke(this, removal); break;
                case ConnectionStateChanged state: StateChanged?.Invoke(this, state); break;
                default: InvokeReadHandlers(item); break;
            }
        }
        catch (Exception e)
        {
            _options.Logger.LogError(e, "A realtime event handler threw for {EventType}", item.GetType().Name);
        }
    }

    private void SetState(RealtimeConnectionState state, int? closeCode = null, Exception? error = null)
    {
        State = state;
        var change = new ConnectionStateChanged(state, closeCode, error);
        InvokeHandlers(change);
        foreach (var reader in SnapshotReaders())
        {
            reader.Writer.TryWrite(change); // never block a state change on a slow reader
        }
    }

    private Channel<RealtimeEvent> AddReader()
    {
        var reader = Channel.CreateBounded<RealtimeEvent>(new BoundedChannelOptions(_options.EventBufferCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        lock (_readers)
        {
            if (State == RealtimeConnectionState.Closed)
            {
                reader.Writer.TryComplete();
            }
            else
            {
                _readers.Add(reader);
            }
        }

        return reader;
    }

    private void RemoveReader(Channel<RealtimeEvent> reader)
    {
        lock (_readers)
        {
            _readers.Remove(reader);
        }

        reader.Writer.TryComplete();
    }

    private Channel<RealtimeEvent>[] SnapshotReaders()
    {
        lock (_readers)
        {
            return [.. _readers];
        }
    }

    private void CompleteReaders()
    {
        foreach (var reader in SnapshotReaders())
        {
            reader.Writer.TryComplete();
        }
    }
}
