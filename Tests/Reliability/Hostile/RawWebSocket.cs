using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace RealtimeAspire.Tests.Reliability;

/// <summary>
/// A WebSocket client over a plain TCP socket that writes every frame by hand, so it can send what
/// <see cref="System.Net.WebSockets.ClientWebSocket"/> never would: bad opcodes, reserved bits, unmasked or
/// fragmented control frames, oversized pings, invalid close codes. It answers the server's pings, keeps the
/// server's text frames (as JSON) and records the server's close code.
/// </summary>
public sealed class RawWebSocket : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public const byte Continuation = 0x0, Text = 0x1, Binary = 0x2, Close = 0x8, Ping = 0x9, Pong = 0xA;

    /// <summary>Ends each message of SignalR's JSON hub protocol.</summary>
    public const byte RecordSeparator = 0x1E;

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Channel<JsonElement> _frames = Channel.CreateUnbounded<JsonElement>();
    private readonly TaskCompletionSource<int?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _reading;

    private RawWebSocket(TcpClient tcp, NetworkStream stream, byte[] leftover)
    {
        _tcp = tcp;
        _stream = stream;
        _reading = Task.Run(() => ReadLoopAsync(leftover));
    }

    /// <summary>Completes with the server's close code, or null when the connection ended without a close frame.</summary>
    public Task<int?> Closed => _closed.Task;

    /// <summary>The server's text frames that could not be read as JSON (there should be none).</summary>
    public int UnreadableFrames { get; private set; }

    /// <summary>Opens a TCP connection to the Gateway and upgrades it; throws when the answer is not 101.</summary>
    public static async Task<RawWebSocket> ConnectAsync(Uri gateway, string pathAndQuery = "/ws", params (string Name, string Value)[] headers)
    {
        var (tcp, status, leftover) = await UpgradeAsync(gateway, pathAndQuery, headers);
        if (status != 101)
        {
            tcp.Dispose();
            throw new InvalidOperationException($"The upgrade of {pathAndQuery} was answered {status}.");
        }

        return new RawWebSocket(tcp, tcp.GetStream(), leftover);
    }

    /// <summary>Sends an upgrade request and returns the HTTP status of the answer (101 when it was accepted).</summary>
    public static async Task<int> UpgradeStatusAsync(Uri gateway, string pathAndQuery, params (string Name, string Value)[] headers)
    {
        var (tcp, status, _) = await UpgradeAsync(gateway, pathAndQuery, headers);
        tcp.Dispose();
        return status;
    }

    private static async Task<(TcpClient Tcp, int Status, byte[] Leftover)> UpgradeAsync(
        Uri gateway, string pathAndQuery, (string Name, string Value)[] headers)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(gateway.Host, gateway.Port, timeout.Token);
            var request = new StringBuilder()
                .Append($"GET {pathAndQuery} HTTP/1.1\r\n")
                .Append($"Host: {gateway.Authority}\r\n")
                .Append("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n")
                .Append($"Sec-WebSocket-Key: {Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))}\r\n");
            foreach (var (name, value) in headers)
            {
                request.Append($"{name}: {value}\r\n");
            }

            await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes(request.Append("\r\n").ToString()), timeout.Token);

            // The answer's head ends with an empty line; what follows it is already WebSocket data.
            var received = new List<byte>();
            var buffer = new byte[4096];
            int end;
            while ((end = HeadEnd(received)) < 0)
            {
                var read = await tcp.GetStream().ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    throw new IOException("The server closed the connection during the upgrade.");
                }

                received.AddRange(buffer.AsSpan(0, read));
            }

            var head = Encoding.ASCII.GetString(received.GetRange(0, end).ToArray());
            var status = int.Parse(head.Split(' ', 3)[1]);
            return (tcp, status, received.Skip(end + 4).ToArray());
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    private static int HeadEnd(List<byte> bytes)
    {
        for (var i = 0; i + 3 < bytes.Count; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    public Task SendTextAsync(string text) => SendFrameAsync(Text, Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// Writes one frame exactly as asked: <paramref name="opcode"/> (any 4-bit value), FIN, the reserved bits
    /// (<paramref name="reserved"/> 0..7), masked or not; <paramref name="declaredLength"/> claims another length.
    /// </summary>
    public async Task SendFrameAsync(byte opcode, byte[] payload, bool fin = true, bool masked = true,
        int reserved = 0, long? declaredLength = null)
    {
        var length = declaredLength ?? payload.Length;
        var frame = new byte[14 + payload.Length];
        var at = 0;
        frame[at++] = (byte)((fin ? 0x80 : 0) | (reserved & 0x7) << 4 | opcode & 0x0F);
        var maskBit = masked ? 0x80 : 0;
        if (length < 126)
        {
            frame[at++] = (byte)(maskBit | (int)length);
        }
        else if (length <= ushort.MaxValue)
        {
            frame[at++] = (byte)(maskBit | 126);
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(at), (ushort)length);
            at += 2;
        }
        else
        {
            frame[at++] = (byte)(maskBit | 127);
            BinaryPrimitives.WriteInt64BigEndian(frame.AsSpan(at), length);
            at += 8;
        }

        var mask = masked ? RandomNumberGenerator.GetBytes(4) : null;
        if (mask is not null)
        {
            mask.CopyTo(frame, at);
            at += 4;
        }

        var body = payload;
        for (var i = 0; i < body.Length; i++)
        {
            frame[at + i] = mask is null ? body[i] : (byte)(body[i] ^ mask[i % 4]);
        }

        await WriteAsync(frame.AsMemory(0, at + body.Length));
    }

    /// <summary>A close frame with the given payload (code and reason as bytes, so both can be invalid).</summary>
    public Task SendCloseAsync(int? code, byte[]? reason = null)
    {
        var payload = new List<byte>();
        if (code is { } value)
        {
            payload.Add((byte)(value >> 8));
            payload.Add((byte)value);
        }

        payload.AddRange(reason ?? []);
        return SendFrameAsync(Close, payload.ToArray());
    }

    /// <summary>The next text frame from the server, as JSON.</summary>
    public async Task<JsonElement> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? Timeout);
        try
        {
            return await _frames.Reader.ReadAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No frame within {timeout ?? Timeout}.");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"The connection closed ({await Closed}) before another frame came.");
        }
    }

    public async Task<JsonElement> ExpectAsync(string type, TimeSpan? timeout = null)
    {
        var frame = await ReceiveAsync(timeout);
        Assert.True(frame.GetProperty("type").GetString() == type, $"Expected a {type} frame, got {frame}");
        return frame;
    }

    public Task<int?> WaitForCloseAsync(TimeSpan? timeout = null) => Closed.WaitAsync(timeout ?? Timeout);

    private async Task WriteAsync(ReadOnlyMemory<byte> bytes)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await _writeLock.WaitAsync(timeout.Token);
        try
        {
            await _stream.WriteAsync(bytes, timeout.Token);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadLoopAsync(byte[] leftover)
    {
        var input = new BufferedInput(_stream, leftover);
        var message = new MemoryStream();
        try
        {
            while (true)
            {
                var head = await input.ReadAsync(2);
                var opcode = head[0] & 0x0F;
                var fin = (head[0] & 0x80) != 0;
                long length = head[1] & 0x7F;
                if (length == 126)
                {
                    length = BinaryPrimitives.ReadUInt16BigEndian(await input.ReadAsync(2));
                }
                else if (length == 127)
                {
                    length = BinaryPrimitives.ReadInt64BigEndian(await input.ReadAsync(8));
                }

                // Server frames are never masked.
                var payload = await input.ReadAsync(checked((int)length));
                switch (opcode)
                {
                    case Close:
                        _closed.TrySetResult(payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(payload) : null);
                        await TryWriteAsync(Close, payload.Length >= 2 ? payload[..2] : []);
                        return;
                    case Ping:
                        await TryWriteAsync(Pong, payload);
                        continue;
                    case Pong:
                        continue;
                }

                message.Write(payload);
                if (fin)
                {
                    // SignalR's JSON protocol ends each message with 0x1E (and may put several in one frame).
                    var bytes = message.ToArray();
                    for (int i = 0, start = 0; i <= bytes.Length; i++)
                    {
                        if (i == bytes.Length || bytes[i] == RecordSeparator)
                        {
                            Enqueue(bytes[start..i]);
                            start = i + 1;
                        }
                    }

                    message.SetLength(0);
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or EndOfStreamException or OperationCanceledException)
        {
            _closed.TrySetResult(null);
        }
        finally
        {
            _frames.Writer.TryComplete();
        }
    }

    private void Enqueue(byte[] json)
    {
        if (json.Length == 0)
        {
            return;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            _frames.Writer.TryWrite(document.RootElement.Clone());
        }
        catch (JsonException)
        {
            UnreadableFrames++;
        }
    }

    private async Task TryWriteAsync(byte opcode, byte[] payload)
    {
        try
        {
            await SendFrameAsync(opcode, payload);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or OperationCanceledException)
        {
            // The server is gone already.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        await _reading.WaitAsync(Timeout).ContinueWith(_ => { }, TaskScheduler.Default);
        _writeLock.Dispose();
    }

    /// <summary>Reads exact byte counts from the stream, starting with the bytes that came with the upgrade answer.</summary>
    private sealed class BufferedInput(Stream stream, byte[] leftover)
    {
        private int _leftoverAt;

        public async Task<byte[]> ReadAsync(int count)
        {
            var bytes = new byte[count];
            var filled = Math.Min(count, leftover.Length - _leftoverAt);
            leftover.AsSpan(_leftoverAt, filled).CopyTo(bytes);
            _leftoverAt += filled;
            if (filled < count)
            {
                await stream.ReadExactlyAsync(bytes.AsMemory(filled));
            }

            return bytes;
        }
    }
}
