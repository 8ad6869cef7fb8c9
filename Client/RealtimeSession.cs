using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RealtimeAspire.Client.Protocol;
using RealtimeAspire.Contracts;
using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.Client;

/// <summary>One authenticated WebSocket connection: framing, serialization and the send lock. No policy.</summary>
internal sealed class RealtimeSession : IAsyncDisposable
{
    public const string SubProtocol = "realtime.v1";

    private readonly ClientWebSocket _socket;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ArrayBufferWriter<byte> _receiveBuffer = new(4096);
    private readonly ArrayBufferWriter<byte> _sendBuffer = new(1024);
    private readonly int _maxFrameBytes;
    private readonly ILogger _logger;

    private RealtimeSession(ClientWebSocket socket, RealtimeClientOptions options)
    {
        _socket = socket;
        _maxFrameBytes = options.MaxFrameBytes;
        _logger = options.Logger;
    }

    public WelcomeFrame Welcome { get; private set; } = null!;

    public AuthSuccessFrame Identity { get; private set; } = null!;

    /// <summary>The server's close code once the server closed the connection.</summary>
    public int? CloseCode => (int?)_socket.CloseStatus;

    /// <summary>Opens the socket, reads <c>welcome</c>, authenticates with an <c>auth</c> frame and waits for <c>auth_success</c>.</summary>
    /// <exception cref="SessionClosedException">The server refused the token or closed the connection during the handshake.</exception>
    public static async Task<RealtimeSession> OpenAsync(Uri uri, string token, RealtimeClientOptions options, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(SubProtocol);
        var session = new RealtimeSession(socket, options);
        try
        {
            await socket.ConnectAsync(uri, timeout.Token);
            session.Welcome = await session.ReceiveExpectedAsync<WelcomeFrame>(timeout.Token);
            await session.SendAsync(new AuthRequest(token), timeout.Token);
            session.Identity = await session.ReceiveExpectedAsync<AuthSuccessFrame>(timeout.Token);
            return session;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await session.DisposeAsync();
            throw new TimeoutException($"Connecting to {uri.GetLeftPart(UriPartial.Path)} took longer than {options.ConnectTimeout}.");
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    /// <summary>The next frame, parsed; null once the server closed the connection (see <see cref="CloseCode"/>).</summary>
    public async ValueTask<object?> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            _receiveBuffer.ResetWrittenCount();
            ValueWebSocketReceiveResult result;
            do
            {
                result = await _socket.ReceiveAsync(_receiveBuffer.GetMemory(4096), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return null;
                }

                _receiveBuffer.Advance(result.Count);
                if (_receiveBuffer.WrittenCount > _maxFrameBytes)
                {
                    throw new InvalidDataException($"The server sent a frame over {_maxFrameBytes} bytes.");
                }
            }
            while (!result.EndOfMessage);

            if (result.MessageType == WebSocketMessageType.Text && TryParse(_receiveBuffer.WrittenSpan) is { } frame)
            {
                return frame;
            }
        }
    }

    private object? TryParse(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return FrameParser.Parse(utf8);
        }
        catch (JsonException e)
        {
            // One frame this client cannot read is no reason to drop the connection.
            _logger.LogWarning("Skipped a realtime frame this client cannot read: {Error}", e.Message);
            return null;
        }
    }

    public async Task SendAsync<T>(T frame, CancellationToken cancellationToken)
        where T : IClientFrame
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            _sendBuffer.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(_sendBuffer))
            {
                FrameCodec.Encode(writer, frame);
            }

            await _socket.SendAsync(_sendBuffer.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Closes with <paramref name="code"/>, waiting at most <paramref name="timeout"/> for the server's answer.</summary>
    public async Task CloseAsync(int code, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync((WebSocketCloseStatus)code, null, cancellation.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection is going away anyway; Abort below frees it.
        }
    }

    /// <summary>Drops the connection at once, e.g. when the heartbeat says the peer is gone.</summary>
    public void Abort() => _socket.Abort();

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.CloseReceived)
        {
            await CloseAsync((int)WebSocketCloseStatus.NormalClosure, TimeSpan.FromSeconds(1));
        }

        _socket.Abort();
        _socket.Dispose();
        _sendLock.Dispose();
    }

    private async Task<T> ReceiveExpectedAsync<T>(CancellationToken cancellationToken) where T : class
    {
        while (true)
        {
            switch (await ReceiveAsync(cancellationToken))
            {
                case T expected:
                    return expected;
                case AuthFailedFrame:
                    // The server closes with 4401 right after; report that close code.
                    await DrainUntilCloseAsync(cancellationToken);
                    throw new SessionClosedException(CloseCode ?? CloseCodes.AuthenticationFailed);
                case null:
                    throw new SessionClosedException(CloseCode);
            }
        }
    }

    private async Task DrainUntilCloseAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await ReceiveAsync(cancellationToken) is not null)
            {
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
    }
}

/// <summary>The server closed (or refused) a connection during its handshake.</summary>
internal sealed class SessionClosedException(int? closeCode)
    : Exception($"The server closed the connection ({closeCode?.ToString() ?? "no close code"}).")
{
    public int? CloseCode { get; } = closeCode;
}
