using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.Tests.Client;

/// <summary>
/// An in-process Kestrel server speaking just enough realtime.v1 for the client's tests: it sends
/// <c>welcome</c>, takes the <c>auth</c> frame, answers <c>auth_success</c> (or <c>auth_failed</c> + 4401 for
/// a token in <see cref="RejectedTokens"/>) and hands each connection to the test, which plays the server.
/// </summary>
internal sealed class FakeRealtimeServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<FakeConnection> _accepted = Channel.CreateUnbounded<FakeConnection>();
    private int _connectionCount;

    private FakeRealtimeServer(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public int HeartbeatIntervalMs { get; set; } = 30_000;

    public HashSet<string> RejectedTokens { get; } = [];

    public List<string> TokensSeen { get; } = [];

    public static async Task<FakeRealtimeServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeRealtimeServer(app);
        app.UseWebSockets();
        app.Map("/ws", server.AcceptAsync);
        await app.StartAsync();
        server.Url = new Uri(app.Urls.First());
        return server;
    }

    /// <summary>The next authenticated connection.</summary>
    public async Task<FakeConnection> NextConnectionAsync(TimeSpan? timeout = null) =>
        await _accepted.Reader.ReadAsync().AsTask().WaitAsync(timeout ?? TimeSpan.FromSeconds(10));

    private async Task AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var protocol = context.WebSockets.WebSocketRequestedProtocols.Contains(FrameTypes.ProtocolName) ? FrameTypes.ProtocolName : null;
        using var socket = await context.WebSockets.AcceptWebSocketAsync(protocol);
        var connectionId = $"c{Interlocked.Increment(ref _connectionCount)}";
        var connection = new FakeConnection(socket, connectionId);
        await connection.SendAsync(new WelcomeFrame(connectionId, HeartbeatIntervalMs, FrameTypes.ProtocolName));
        var auth = FrameCodec.Decode<AuthRequest>(await connection.ReceiveBytesAsync(TimeSpan.FromSeconds(10)));
        var token = auth.Token;
        lock (TokensSeen)
        {
            TokensSeen.Add(token);
        }

        if (RejectedTokens.Contains(token))
        {
            await connection.SendAsync(new AuthFailedFrame("token rejected"));
            await connection.CloseAsync(4401);
            return;
        }

        await connection.SendAsync(new AuthSuccessFrame("u1", "alice", connectionId));
        connection.StartReading();
        await _accepted.Writer.WriteAsync(connection);
        await connection.Completion;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}

/// <summary>One client connection as the fake server sees it. Pings are answered unless <see cref="AnswerPings"/> is off.</summary>
internal sealed class FakeConnection(WebSocket socket, string connectionId)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Channel<JsonElement> _frames = Channel.CreateUnbounded<JsonElement>();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string ConnectionId { get; } = connectionId;

    public bool AnswerPings { get; set; } = true;

    public int PingsReceived;

    public Task Completion => _completion.Task;

    /// <summary>The client's close code once it closed.</summary>
    public int? ClientCloseCode { get; private set; }

    /// <summary>The next frame from the client other than <c>ping</c>.</summary>
    public async Task<JsonElement> ReceiveAsync(TimeSpan? timeout = null) =>
        await _frames.Reader.ReadAsync().AsTask().WaitAsync(timeout ?? TimeSpan.FromSeconds(10));

    /// <summary>The next frame of <paramref name="type"/>, skipping others.</summary>
    public async Task<JsonElement> ReceiveAsync(string type, TimeSpan? timeout = null)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var frame = await _frames.Reader.ReadAsync(cancellation.Token);
            if (frame.GetProperty("type").GetString() == type)
            {
                return frame;
            }
        }
    }

    /// <summary>Sends a frame as the server encodes it.</summary>
    public Task SendAsync<T>(T frame) where T : IServerFrame => SendBytesAsync(FrameCodec.Encode(frame));

    /// <summary>Sends any JSON, e.g. a frame a server must never send, to see the client survive it.</summary>
    public Task SendAsync(object json) => SendBytesAsync(JsonSerializer.SerializeToUtf8Bytes(json, Json));

    private async Task SendBytesAsync(byte[] bytes)
    {
        await _sendLock.WaitAsync();
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public async Task CloseAsync(int code)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await socket.CloseOutputAsync((WebSocketCloseStatus)code, "test", timeout.Token);
            await Completion.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or TimeoutException)
        {
        }

        _completion.TrySetResult();
    }

    /// <summary>Drops the TCP connection without a close frame, like a crashed server.</summary>
    public void Abort()
    {
        socket.Abort();
        _completion.TrySetResult();
    }

    internal async Task<byte[]> ReceiveBytesAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        var buffer = new byte[64 * 1024];
        var length = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellation.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new WebSocketException("closed");
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                return buffer[..length];
            }
        }
    }

    internal void StartReading() => _ = ReadLoopAsync();

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var bytes = await ReceiveBytesAsync(Timeout.InfiniteTimeSpan);
                if (FrameCodec.DecodeClientFrame(bytes) is PingRequest)
                {
                    Interlocked.Increment(ref PingsReceived);
                    if (AnswerPings)
                    {
                        await SendAsync(new PongFrame(DateTimeOffset.UtcNow));
                    }

                    continue;
                }

                await _frames.Writer.WriteAsync(JsonDocument.Parse(bytes).RootElement.Clone());
            }
        }
        catch (Exception)
        {
            ClientCloseCode = (int?)socket.CloseStatus;
            _frames.Writer.TryComplete();
            _completion.TrySetResult();
        }
    }
}
