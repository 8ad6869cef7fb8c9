using System.Text;

namespace RealtimeAspire.Tests.Reliability;

/// <summary>
/// One thing a client does at the WebSocket level and its outcome: <c>close NNNN</c> (the server's close code),
/// <c>dropped</c> (the connection ended without a close frame) or <c>answered</c> (legal; the server answered).
/// </summary>
public sealed record ProtocolViolation(string Name, string Expected, Func<RawWebSocket, Task> Act)
{
    private static readonly byte[] PingFrame = Encoding.UTF8.GetBytes("""{"type":"ping"}""");

    public async Task<string> RunAsync(RawWebSocket socket)
    {
        try
        {
            await Act(socket);
        }
        catch (IOException)
        {
            // The server closed while the rest was being written; its close frame tells why.
        }

        if (Expected == "answered")
        {
            await socket.ExpectAsync("pong");
            return socket.Closed.IsCompleted ? $"closed after answering ({await socket.Closed})" : "answered";
        }

        var code = await socket.WaitForCloseAsync(TimeSpan.FromSeconds(20));
        return code is { } value ? $"close {value}" : "dropped";
    }

    public override string ToString() => Name;

    private static ProtocolViolation Close(string name, int code, Func<RawWebSocket, Task> act) => new(name, $"close {code}", act);

    private static ProtocolViolation Answered(string name, Func<RawWebSocket, Task> act) => new(name, "answered", act);

    public static readonly IReadOnlyList<ProtocolViolation> All =
    [
        Close("binary-frame", 1003, s => s.SendFrameAsync(RawWebSocket.Binary, PingFrame)),
        Close("text-over-64KiB", 1009, s => s.SendTextAsync("{\"type\":\"ping\",\"x\":\"" + new string('x', 70_000) + "\"}")),
        Close("fragments-over-64KiB", 1009, async s =>
        {
            await s.SendFrameAsync(RawWebSocket.Text, new byte[30_000], fin: false);
            await s.SendFrameAsync(RawWebSocket.Continuation, new byte[30_000], fin: false);
            await s.SendFrameAsync(RawWebSocket.Continuation, new byte[30_000], fin: true);
        }),
        Close("declared-length-2^40", 1009, s => s.SendFrameAsync(RawWebSocket.Text, new byte[70_000], declaredLength: 1L << 40)),
        Close("invalid-utf8-text", 1007, s => s.SendFrameAsync(RawWebSocket.Text, [(byte)'{', 0xC3, 0x28, (byte)'}'])),
        Close("invalid-utf8-split-across-fragments", 1007, async s =>
        {
            await s.SendFrameAsync(RawWebSocket.Text, [(byte)'"', 0xE2, 0x82], fin: false);
            await s.SendFrameAsync(RawWebSocket.Continuation, [0x28, (byte)'"'], fin: true);
        }),
        Close("overlong-utf8-encoding", 1007, s => s.SendFrameAsync(RawWebSocket.Text, [(byte)'"', 0xC0, 0xAF, (byte)'"'])),
        Close("ping-payload-over-125-bytes", 1002, s => s.SendFrameAsync(RawWebSocket.Ping, new byte[126])),
        Close("pong-payload-over-125-bytes", 1002, s => s.SendFrameAsync(RawWebSocket.Pong, new byte[200])),
        Close("fragmented-ping", 1002, s => s.SendFrameAsync(RawWebSocket.Ping, [1, 2, 3], fin: false)),
        Close("fragmented-close", 1002, s => s.SendFrameAsync(RawWebSocket.Close, [0x03, 0xE8], fin: false)),
        Close("unknown-data-opcode-3", 1002, s => s.SendFrameAsync(0x3, PingFrame)),
        Close("unknown-control-opcode-11", 1002, s => s.SendFrameAsync(0xB, [])),
        Close("reserved-bit-1", 1002, s => s.SendFrameAsync(RawWebSocket.Text, PingFrame, reserved: 0b100)),
        Close("reserved-bits-2-and-3", 1002, s => s.SendFrameAsync(RawWebSocket.Text, PingFrame, reserved: 0b011)),
        Close("unmasked-client-frame", 1002, s => s.SendFrameAsync(RawWebSocket.Text, PingFrame, masked: false)),
        Close("continuation-without-start", 1002, s => s.SendFrameAsync(RawWebSocket.Continuation, PingFrame)),
        Close("new-message-inside-fragmented-one", 1002, async s =>
        {
            await s.SendFrameAsync(RawWebSocket.Text, PingFrame[..5], fin: false);
            await s.SendFrameAsync(RawWebSocket.Text, PingFrame);
        }),
        Close("close-code-999", 1002, s => s.SendCloseAsync(999)),
        Close("close-code-1005-reserved", 1002, s => s.SendCloseAsync(1005)),
        Close("close-code-1006-reserved", 1002, s => s.SendCloseAsync(1006)),
        Close("close-code-5000", 1002, s => s.SendCloseAsync(5000)),
        Close("close-one-byte-payload", 1002, s => s.SendFrameAsync(RawWebSocket.Close, [0x03])),
        Close("close-reason-invalid-utf8", 1002, s => s.SendCloseAsync(1000, [0xC3, 0x28])),
        Close("close-normal", 1000, s => s.SendCloseAsync(1000, Encoding.UTF8.GetBytes("bye"))),
        Answered("fragmented-text", async s =>
        {
            await s.SendFrameAsync(RawWebSocket.Text, PingFrame[..3], fin: false);
            await s.SendFrameAsync(RawWebSocket.Continuation, PingFrame[3..9], fin: false);
            await s.SendFrameAsync(RawWebSocket.Continuation, PingFrame[9..], fin: true);
        }),
        Answered("ping-inside-fragmented-text", async s =>
        {
            await s.SendFrameAsync(RawWebSocket.Text, PingFrame[..7], fin: false);
            await s.SendFrameAsync(RawWebSocket.Ping, new byte[125]);
            await s.SendFrameAsync(RawWebSocket.Continuation, PingFrame[7..], fin: true);
        }),
        Answered("unsolicited-pong", async s =>
        {
            await s.SendFrameAsync(RawWebSocket.Pong, Encoding.UTF8.GetBytes("unasked"));
            await s.SendTextAsync("""{"type":"ping"}""");
        }),
        Answered("empty-fragments", async s =>
        {
            await s.SendFrameAsync(RawWebSocket.Text, [], fin: false);
            await s.SendFrameAsync(RawWebSocket.Continuation, [], fin: false);
            await s.SendFrameAsync(RawWebSocket.Continuation, PingFrame, fin: true);
        }),
    ];
}
