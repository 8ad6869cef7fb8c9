using RealtimeAspire.ConnectionService.Connections;

namespace RealtimeAspire.Tests.Connection;

/// <summary>The outbound side of a connection: one writer at a time, order kept, a bounded queue, an orderly end.</summary>
public sealed class OutboundFramesTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void A_frame_sent_while_nobody_writes_is_written_at_once_by_the_sender()
    {
        var socket = new FakeSocket();
        var outbound = new OutboundFrames(socket.WriteAsync, capacity: 4);

        Assert.True(outbound.TryWrite(Frame(1)));

        Assert.Equal(new[] { 1 }, socket.Written);
    }

    [Fact]
    public async Task Frames_sent_during_a_slow_write_wait_in_order_and_go_out_after_it_in_one_pass()
    {
        var socket = new FakeSocket();
        var outbound = new OutboundFrames(socket.WriteAsync, capacity: 4);
        var slowWrite = socket.HoldNextWrite();

        Assert.True(outbound.TryWrite(Frame(1)));
        Assert.True(outbound.TryWrite(Frame(2)));
        Assert.True(outbound.TryWrite(Frame(3)));
        Assert.Equal(new[] { 1 }, socket.Written);

        slowWrite.SetResult();
        await socket.WaitForAsync(3).WaitAsync(Timeout);

        Assert.Equal(new[] { 1, 2, 3 }, socket.Written);
        Assert.Equal(1, socket.MostConcurrentWrites);
    }

    [Fact]
    public void A_full_queue_refuses_the_frame()
    {
        var socket = new FakeSocket();
        var outbound = new OutboundFrames(socket.WriteAsync, capacity: 2);
        socket.HoldNextWrite();

        Assert.True(outbound.TryWrite(Frame(1)));
        Assert.True(outbound.TryWrite(Frame(2)));
        Assert.True(outbound.TryWrite(Frame(3)));

        Assert.False(outbound.TryWrite(Frame(4)));
        Assert.False(outbound.IsCompleted);
    }

    [Fact]
    public async Task Completing_writes_the_queued_frames_then_drains_and_takes_no_more()
    {
        var socket = new FakeSocket();
        var outbound = new OutboundFrames(socket.WriteAsync, capacity: 4);
        var slowWrite = socket.HoldNextWrite();
        outbound.TryWrite(Frame(1));
        outbound.TryWrite(Frame(2));

        outbound.Complete(discardPending: false);
        Assert.False(outbound.TryWrite(Frame(3)));
        Assert.False(outbound.Drained.IsCompleted);
        slowWrite.SetResult();
        await outbound.Drained.WaitAsync(Timeout);

        Assert.Equal(new[] { 1, 2 }, socket.Written);
    }

    [Fact]
    public async Task Completing_with_discard_drops_the_queued_frames()
    {
        var socket = new FakeSocket();
        var outbound = new OutboundFrames(socket.WriteAsync, capacity: 4);
        var slowWrite = socket.HoldNextWrite();
        outbound.TryWrite(Frame(1));
        outbound.TryWrite(Frame(2));

        outbound.Complete(discardPending: true);
        slowWrite.SetResult();
        await outbound.Drained.WaitAsync(Timeout);

        Assert.Equal(new[] { 1 }, socket.Written);
    }

    [Fact]
    public async Task A_failed_write_ends_the_writer()
    {
        var socket = new FakeSocket();
        var outbound = new OutboundFrames(socket.WriteAsync, capacity: 4);
        var failingWrite = socket.HoldNextWrite();
        outbound.TryWrite(Frame(1));
        outbound.TryWrite(Frame(2));

        failingWrite.SetException(new IOException("the peer is gone"));
        await outbound.Drained.WaitAsync(Timeout);

        Assert.True(outbound.IsCompleted);
        Assert.False(outbound.TryWrite(Frame(3)));
        Assert.Equal(new[] { 1 }, socket.Written);
    }

    [Fact]
    public async Task Concurrent_senders_never_write_at_the_same_time_and_each_senders_frames_keep_their_order()
    {
        var socket = new FakeSocket { YieldEvery = 7 };
        var outbound = new OutboundFrames(socket.WriteAsync, capacity: 10_000);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(sender => Task.Run(async () =>
        {
            for (var i = 0; i < 500; i++)
            {
                Assert.True(await outbound.WriteAsync(Frame(sender * 1_000 + i), CancellationToken.None));
            }
        }))).WaitAsync(Timeout);
        await socket.WaitForAsync(2_000).WaitAsync(Timeout);

        Assert.Equal(1, socket.MostConcurrentWrites);
        foreach (var sender in Enumerable.Range(0, 4))
        {
            Assert.Equal(Enumerable.Range(sender * 1_000, 500), socket.Written.Where(frame => frame / 1_000 == sender));
        }
    }

    private static ReadOnlyMemory<byte> Frame(int number) => BitConverter.GetBytes(number);

    /// <summary>Records what is written; a write can be held until the test lets it finish (or fail).</summary>
    private sealed class FakeSocket
    {
        private readonly Lock _sync = new();
        private readonly List<int> _written = [];
        private TaskCompletionSource? _holdNext;
        private int _writing;
        private int _writes;

        public int MostConcurrentWrites { get; private set; }

        /// <summary>Every n-th write completes asynchronously (0: all synchronously).</summary>
        public int YieldEvery { get; init; }

        public int[] Written
        {
            get
            {
                lock (_sync)
                {
                    return [.. _written];
                }
            }
        }

        public TaskCompletionSource HoldNextWrite() =>
            _holdNext = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task WaitForAsync(int count)
        {
            while (Written.Length < count)
            {
                await Task.Delay(10);
            }
        }

        public async ValueTask WriteAsync(ReadOnlyMemory<byte> frame)
        {
            var concurrent = Interlocked.Increment(ref _writing);
            lock (_sync)
            {
                MostConcurrentWrites = Math.Max(MostConcurrentWrites, concurrent);
                _written.Add(BitConverter.ToInt32(frame.Span));
            }

            try
            {
                if (Interlocked.Exchange(ref _holdNext, null) is { } hold)
                {
                    await hold.Task;
                }
                else if (YieldEvery > 0 && Interlocked.Increment(ref _writes) % YieldEvery == 0)
                {
                    await Task.Yield();
                }
            }
            finally
            {
                Interlocked.Decrement(ref _writing);
            }
        }
    }
}
