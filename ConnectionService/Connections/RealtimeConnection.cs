using System.Buffers;
using System.Net.WebSockets;
using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.ConnectionService.Rooms;
using RealtimeAspire.Contracts;

namespace RealtimeAspire.ConnectionService.Connections;

/// <summary>
/// One client connection, a WebSocket or a SignalR connection (through an <see cref="IFrameTransport"/>): outbound
/// frames written by one writer at a time (<see cref="OutboundFrames"/>), frame reading with the protocol's limits,
/// and an orderly close. Holds no thread and, while idle, no receive buffer.
/// </summary>
public sealed class RealtimeConnection
{
    private readonly WebSocket? _socket;
    private readonly IFrameTransport? _transport;
    private readonly OutboundFrames _outbound;
    private readonly CancellationTokenSource _abort = new();
    private readonly TimeSpan _closeTimeout;
    private readonly Dictionary<string, RoomMembership> _rooms = new(StringComparer.Ordinal);
    private int _closing;
    private WebSocketCloseStatus _closeStatus = WebSocketCloseStatus.NormalClosure;
    private string _closeReason = "";

    public RealtimeConnection(WebSocket socket, string id, DateTimeOffset connectedAt, RealtimeOptions options)
    {
        _socket = socket;
        Id = id;
        ConnectedAt = connectedAt;
        _closeTimeout = TimeSpan.FromMilliseconds(options.CloseTimeoutMs);
        // Not cancellable: a cancellable send costs a registration per frame; an abort ends a waiting send anyway.
        _outbound = new OutboundFrames(frame => socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None),
            options.OutboundQueueCapacity);
        _abort.Token.Register(static state => ((WebSocket)state!).Abort(), socket);
    }

    /// <summary>A connection of another protocol (SignalR): the same rooms, limits and queue, written through <paramref name="transport"/>.</summary>
    public RealtimeConnection(IFrameTransport transport, string id, DateTimeOffset connectedAt, RealtimeOptions options)
    {
        _transport = transport;
        Id = id;
        ConnectedAt = connectedAt;
        _closeTimeout = TimeSpan.FromMilliseconds(options.CloseTimeoutMs);
        _outbound = new OutboundFrames(frame => transport.SendAsync(frame, _abort.Token), options.OutboundQueueCapacity);
        _abort.Token.Register(static state => ((IFrameTransport)state!).Abort(), transport);
    }

    public string Id { get; }

    public DateTimeOffset ConnectedAt { get; }

    /// <summary>Null until the connection has authenticated.</summary>
    public ConnectionUser? User { get; set; }

    public bool IsClosing => Volatile.Read(ref _closing) != 0;

    /// <summary>The close code this connection was (or is being) closed with by the server.</summary>
    public int CloseCode => (int)_closeStatus;

    public string CloseReason => _closeReason;

    /// <summary>
    /// Held while a frame is processed, so that a drain waits for in-flight work before closing, and a kick out of a
    /// room does not interleave with a join of it.
    /// </summary>
    public SemaphoreSlim ProcessingGate { get; } = new(1, 1);

    /// <summary>Raised once, on a thread-pool thread, when the server starts closing this connection.</summary>
    public event Action<RealtimeConnection>? Closing;

    /// <summary>Writes or queues a frame without waiting. A full queue marks a slow consumer: it is closed with 1008.</summary>
    public bool TrySend(ReadOnlyMemory<byte> frame)
    {
        if (_outbound.TryWrite(frame))
        {
            return true;
        }

        if (!_outbound.IsCompleted)
        {
            RequestClose(CloseCodes.PolicyViolation, "slow consumer", discardPending: true);
        }

        return false;
    }

    /// <summary>
    /// Sends the answer to the frame being handled (<c>joined</c>, <c>left</c>, <c>ack</c>, <c>presence</c>, <c>pong</c>
    /// or its <c>error</c>): a SignalR call returns it as its result, a WebSocket gets it in order with the rest.
    /// </summary>
    public bool TryAnswer(ReadOnlyMemory<byte> frame) => _transport?.TryTakeAnswer(frame) is true || TrySend(frame);

    /// <summary>Queues a frame, waiting for room in the queue (for long replays, where waiting is right).</summary>
    public async ValueTask<bool> SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        return await _outbound.WriteAsync(frame, cancellationToken);
    }

    /// <summary>Starts closing: frames already queued are still written (unless discarded), then the close frame.</summary>
    public void RequestClose(int code, string reason, bool discardPending = false)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }

        _closeStatus = (WebSocketCloseStatus)code;
        _closeReason = reason;
        _outbound.Complete(discardPending);
        // A peer that never reads again must not hold the connection: after the timeout the socket is aborted.
        _abort.CancelAfter(_closeTimeout);
        if (Closing is { } closing)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static state => state.closing(state.connection), (closing, connection: this), preferLocal: false);
        }
    }

    /// <summary>Completes when the connection has closed its side: the queued frames are written, then the close frame.</summary>
    public async Task RunWriterAsync()
    {
        try
        {
            // A write the peer never takes is given up with the close timeout's abort.
            await _outbound.Drained.WaitAsync(_abort.Token);
            if (_transport is not null)
            {
                _transport.Close(CloseCode, _closeReason);
            }
            else if (_socket!.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(_closeStatus, _closeReason, _abort.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The peer is gone or was aborted: nothing more can be written.
        }
    }

    /// <summary>
    /// Waits for the next complete text frame. Idle connections wait with a zero-byte read, so they hold no buffer;
    /// the frame is read into a pooled buffer that the caller returns with <see cref="ReturnBuffer"/>.
    /// </summary>
    public async Task<IncomingFrame> ReceiveAsync(int maxFrameBytes, CancellationToken cancellationToken)
    {
        var header = await _socket!.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
        switch (header.MessageType)
        {
            case WebSocketMessageType.Close:
                return IncomingFrame.Closed;
            case WebSocketMessageType.Binary:
                return IncomingFrame.Violation(CloseCodes.UnsupportedData, "binary frames are not supported");
        }

        var buffer = ArrayPool<byte>.Shared.Rent(maxFrameBytes + 1);
        var length = 0;
        var endOfMessage = header.EndOfMessage;
        while (!endOfMessage)
        {
            if (length > maxFrameBytes)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return IncomingFrame.Violation(CloseCodes.MessageTooBig, "frame too big");
            }

            var result = await _socket!.ReceiveAsync(buffer.AsMemory(length, Math.Min(buffer.Length, maxFrameBytes + 1) - length), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return IncomingFrame.Closed;
            }

            length += result.Count;
            endOfMessage = result.EndOfMessage;
        }

        if (length > maxFrameBytes)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return IncomingFrame.Violation(CloseCodes.MessageTooBig, "frame too big");
        }

        return IncomingFrame.Text(buffer, length);
    }

    /// <summary>After the server started closing: reads and drops whatever the peer still sends, until its close.</summary>
    public async Task DiscardUntilClosedAsync(CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            while ((await _socket!.ReceiveAsync(buffer.AsMemory(), cancellationToken)).MessageType != WebSocketMessageType.Close)
            {
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static void ReturnBuffer(IncomingFrame frame)
    {
        if (frame.Buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(frame.Buffer);
        }
    }

    /// <summary>Kills the socket at once (the peer is gone or the close took too long).</summary>
    public void Abort() => _abort.Cancel();

    public RoomMembership? GetRoom(string room)
    {
        lock (_rooms)
        {
            return _rooms.GetValueOrDefault(room);
        }
    }

    /// <summary>Sets the connection's membership of a room; returns the one it replaces.</summary>
    public RoomMembership? SetRoom(RoomMembership membership)
    {
        lock (_rooms)
        {
            _rooms.Remove(membership.Room, out var previous);
            _rooms[membership.Room] = membership;
            return previous;
        }
    }

    /// <summary>Removes the membership if it is still the current one.</summary>
    public bool RemoveRoom(RoomMembership membership)
    {
        lock (_rooms)
        {
            return _rooms.TryGetValue(membership.Room, out var current) && current == membership && _rooms.Remove(membership.Room);
        }
    }

    public int RoomCount
    {
        get
        {
            lock (_rooms)
            {
                return _rooms.Count;
            }
        }
    }

    public RoomMembership[] GetRooms()
    {
        lock (_rooms)
        {
            return _rooms.Count == 0 ? [] : [.. _rooms.Values];
        }
    }

    public void Dispose()
    {
        _abort.Dispose();
        _socket?.Dispose();
    }
}

/// <summary>What the reader got: a text frame (in a pooled buffer), the peer's close, or a protocol violation.</summary>
public readonly record struct IncomingFrame(IncomingFrameKind Kind, byte[]? Buffer, int Length, int CloseCode, string? Reason)
{
    public static IncomingFrame Closed => new(IncomingFrameKind.Closed, null, 0, 0, null);

    public static IncomingFrame Text(byte[] buffer, int length) => new(IncomingFrameKind.Text, buffer, length, 0, null);

    public static IncomingFrame Violation(int code, string reason) => new(IncomingFrameKind.Violation, null, 0, code, reason);

    public ReadOnlySpan<byte> Span => Buffer.AsSpan(0, Length);
}

public enum IncomingFrameKind
{
    Text,
    Closed,
    Violation,
}
