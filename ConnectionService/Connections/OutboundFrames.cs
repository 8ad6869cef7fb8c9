using System.Collections.Concurrent;

namespace RealtimeAspire.ConnectionService.Connections;

/// <summary>
/// The outbound side of one connection: at most one writer at a time, and a bounded queue for the frames that arrive
/// while it writes. Whoever sends a frame while nobody is writing writes it at once, on its own thread; only a write
/// that has to wait (the peer's transport is full) continues later on the thread pool, and whoever holds the writer
/// also writes everything queued meanwhile, in one pass. So fan-out costs no thread-pool work item per delivery
/// and no lock; Kestrel buffers the written bytes, and its socket loop coalesces them into few send calls.
/// </summary>
public sealed class OutboundFrames(Func<ReadOnlyMemory<byte>, ValueTask> write, int capacity)
{
    // Created on first need: most frames of most connections are written at once and never queued.
    private ConcurrentQueue<ReadOnlyMemory<byte>>? _queue;
    private int _queued;
    private int _writing;
    private volatile bool _completed;
    private volatile bool _discard;
    private TaskCompletionSource? _space;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once no frame will be written any more: all were written (or discarded), or a write failed.</summary>
    public Task Drained => _drained.Task;

    /// <summary>No more frames are taken: the connection is closing, or a write failed.</summary>
    public bool IsCompleted => _completed;

    private bool IsQueueEmpty => Volatile.Read(ref _queued) == 0;

    /// <summary>Writes or queues a frame without waiting; false when the queue is full or no more frames are taken.</summary>
    public bool TryWrite(ReadOnlyMemory<byte> frame)
    {
        if (_completed)
        {
            return false;
        }

        if (TryAcquireWriter())
        {
            if (IsQueueEmpty)
            {
                _ = WriteLoopAsync(frame, hasFrame: true);
                return true;
            }

            // Frames queued earlier (by someone who saw the writer busy) go first.
            var queued = TryEnqueue(frame);
            _ = WriteLoopAsync(default, hasFrame: false);
            return queued;
        }

        if (!TryEnqueue(frame))
        {
            return false;
        }

        // The writer may have finished between our look and the enqueue; then nobody would write this frame.
        if (TryAcquireWriter())
        {
            _ = WriteLoopAsync(default, hasFrame: false);
        }

        return true;
    }

    /// <summary>Queues a frame, waiting while the queue is full; false when no more frames are taken.</summary>
    public async ValueTask<bool> WriteAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        while (!TryWrite(frame))
        {
            if (_completed)
            {
                return false;
            }

            var space = Volatile.Read(ref _space);
            if (space is null)
            {
                var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                space = Interlocked.CompareExchange(ref _space, created, null) ?? created;
            }

            // The writer may have made room after the failed attempt and before the waiter was there.
            if (Volatile.Read(ref _queued) < capacity)
            {
                continue;
            }

            await space.Task.WaitAsync(cancellationToken);
        }

        return true;
    }

    /// <summary>Takes no more frames; the queued ones are still written unless <paramref name="discardPending"/>.</summary>
    public void Complete(bool discardPending)
    {
        _discard |= discardPending;
        _completed = true;
        if (TryAcquireWriter())
        {
            _ = WriteLoopAsync(default, hasFrame: false);
        }

        Interlocked.Exchange(ref _space, null)?.TrySetResult();
    }

    private bool TryAcquireWriter() => Interlocked.CompareExchange(ref _writing, 1, 0) == 0;

    private bool TryEnqueue(ReadOnlyMemory<byte> frame)
    {
        if (Interlocked.Increment(ref _queued) > capacity)
        {
            Interlocked.Decrement(ref _queued);
            return false;
        }

        var queue = Volatile.Read(ref _queue);
        if (queue is null)
        {
            var created = new ConcurrentQueue<ReadOnlyMemory<byte>>();
            queue = Interlocked.CompareExchange(ref _queue, created, null) ?? created;
        }

        queue.Enqueue(frame);
        return true;
    }

    private bool TryDequeue(out ReadOnlyMemory<byte> frame)
    {
        frame = default;
        if (IsQueueEmpty || Volatile.Read(ref _queue) is not { } queue || !queue.TryDequeue(out frame))
        {
            return false;
        }

        Interlocked.Decrement(ref _queued);
        if (Volatile.Read(ref _space) is not null)
        {
            Interlocked.Exchange(ref _space, null)?.TrySetResult();
        }

        return true;
    }

    /// <summary>Runs while this caller holds the writer; returns (synchronously, usually) once nothing is left to write.</summary>
    private async Task WriteLoopAsync(ReadOnlyMemory<byte> frame, bool hasFrame)
    {
        try
        {
            while (true)
            {
                if (hasFrame && !_discard)
                {
                    await write(frame);
                }

                while (!_discard && TryDequeue(out frame))
                {
                    await write(frame);
                }

                if (_discard)
                {
                    while (TryDequeue(out _))
                    {
                    }
                }

                if (_completed && IsQueueEmpty)
                {
                    // The writer is kept for good: nothing may be written after the close.
                    _drained.TrySetResult();
                    return;
                }

                Interlocked.Exchange(ref _writing, 0);
                // A frame queued, or a close requested, by someone who still saw this writer busy.
                if ((IsQueueEmpty && !_completed) || !TryAcquireWriter())
                {
                    return;
                }

                hasFrame = false;
            }
        }
        catch (Exception)
        {
            // The peer is gone or was aborted: nothing more can be written (the reader sees the same and tears down).
            _completed = true;
            _discard = true;
            while (TryDequeue(out _))
            {
            }

            _drained.TrySetResult();
        }
    }
}
