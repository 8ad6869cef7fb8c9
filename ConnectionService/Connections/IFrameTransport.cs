namespace RealtimeAspire.ConnectionService.Connections;

/// <summary>
/// Where a <see cref="RealtimeConnection"/> that is not a raw WebSocket writes its frames (a SignalR connection).
/// Called by the connection's single writer loop only.
/// </summary>
public interface IFrameTransport
{
    /// <summary>Writes one server frame (UTF-8 JSON), waiting while the peer's transport is full.</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken);

    /// <summary>The server closes the connection with a protocol close code, after the queued frames were written.</summary>
    void Close(int code, string reason);

    /// <summary>Drops the connection at once.</summary>
    void Abort();

    /// <summary>
    /// Takes <paramref name="frame"/> as the answer to the call in progress (a SignalR hub call's result); false when
    /// the transport has no calls, so the frame is written as any other.
    /// </summary>
    bool TryTakeAnswer(ReadOnlyMemory<byte> frame) => false;
}
