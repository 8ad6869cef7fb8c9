using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.Tests.Infrastructure;

/// <summary>A registered account and its tokens, as a client gets them from the Gateway.</summary>
public sealed record TestUser(string UserId, string Username, string Password, string AccessToken, string RefreshToken);

/// <summary>Where the client puts its access token when it connects.</summary>
public enum TokenPlacement
{
    /// <summary>Connect without a token (authenticate later with an <c>auth</c> frame, or not at all).</summary>
    None,
    Header,
    Query,
}

/// <summary>
/// A WebSocket client of the realtime.v1 protocol for tests: connects through the Gateway, keeps every frame it
/// receives in order, and waits for frames with a timeout. With <c>receive: false</c> it reads nothing until
/// <see cref="StartReceiving"/> (a peer that stops reading: no pongs, a full TCP window).
/// </summary>
public sealed class RealtimeTestClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private readonly ClientWebSocket _socket;
    private readonly Channel<JsonElement> _frames = Channel.CreateUnbounded<JsonElement>();
    private readonly List<JsonElement> _skipped = [];
    private readonly TaskCompletionSource<int?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _receiving;
    private volatile TaskCompletionSource _resumed = Resumed();

    private RealtimeTestClient(ClientWebSocket socket) => _socket = socket;

    public WebSocket Socket => _socket;

    /// <summary>The welcome frame's connection id, once <see cref="ReceiveWelcomeAsync"/> ran.</summary>
    public string? ConnectionId { get; private set; }

    /// <summary>The replica the connection lives on: the first part of the connection id (see docs/protocol.md).</summary>
    public string? ReplicaId => ConnectionId?[..ConnectionId.IndexOf('.')];

    public static async Task<RealtimeTestClient> ConnectAsync(
        Uri gatewayUri,
        string? token = null,
        TokenPlacement placement = TokenPlacement.Header,
        string? subprotocol = null,
        bool receive = true,
        int? socketReceiveBufferBytes = null)
    {
        var socket = new ClientWebSocket();
        var uri = new UriBuilder(gatewayUri) { Scheme = gatewayUri.Scheme == "https" ? "wss" : "ws", Path = "/ws" };
        if (token is not null && placement == TokenPlacement.Header)
        {
            socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
        }
        else if (token is not null && placement == TokenPlacement.Query)
        {
            uri.Query = $"access_token={Uri.EscapeDataString(token)}";
        }

        if (subprotocol is not null)
        {
            socket.Options.AddSubProtocol(subprotocol);
        }

        using var handler = new SocketsHttpHandler();
        if (socketReceiveBufferBytes is { } bufferBytes)
        {
            // A small kernel receive buffer makes a client that stops reading fill up quickly.
            handler.ConnectCallback = async (context, cancellationToken) =>
            {
                var tcp = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = bufferBytes };
                await tcp.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(tcp, ownsSocket: true);
            };
        }

        using var invoker = new HttpMessageInvoker(handler, disposeHandler: false);
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await socket.ConnectAsync(uri.Uri, invoker, timeout.Token);
        var client = new RealtimeTestClient(socket);
        if (receive)
        {
            client.StartReceiving();
        }

        return client;
    }

    /// <summary>Connects and authenticates with the token in the upgrade's Authorization header.</summary>
    public static async Task<RealtimeTestClient> ConnectAuthenticatedAsync(Uri gatewayUri, TestUser user)
    {
        var client = await ConnectAsync(gatewayUri, user.AccessToken);
        await client.ReceiveWelcomeAsync();
        await client.ExpectAsync("auth_success");
        return client;
    }

    public void StartReceiving() => _receiving ??= Task.Run(ReceiveLoopAsync);

    /// <summary>
    /// Stops reading once the read in progress ends (it ends with the next frame, e.g. the pong to a ping sent
    /// after this). From then on the client neither reads frames nor answers the server's pings.
    /// </summary>
    public void Pause() => _resumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Resume() => _resumed.TrySetResult();

    /// <summary>Sends a frame as the .NET client encodes it.</summary>
    public Task SendAsync<T>(T frame) where T : IClientFrame => SendTextAsync(FrameCodec.EncodeToString(frame));

    /// <summary>Sends any JSON, e.g. a frame the protocol refuses.</summary>
    public Task SendAsync(object frame) => SendTextAsync(JsonSerializer.Serialize(frame, JsonSerializerOptions.Web));

    public Task SendTextAsync(string text) => SendBytesAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public async Task SendBytesAsync(byte[] bytes, WebSocketMessageType type)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await _socket.SendAsync(bytes, type, endOfMessage: true, timeout.Token);
    }

    /// <summary>The next frame not consumed yet, whatever its type (frames <see cref="WaitForAsync"/> passed over come first).</summary>
    public async Task<JsonElement> ReceiveAsync(TimeSpan? timeout = null)
    {
        if (_skipped.Count > 0)
        {
            var first = _skipped[0];
            _skipped.RemoveAt(0);
            return first;
        }

        return await ReceiveNewAsync(timeout);
    }

    private async Task<JsonElement> ReceiveNewAsync(TimeSpan? timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            return await _frames.Reader.ReadAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No frame within {timeout ?? DefaultTimeout}.");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"The connection closed ({await _closed.Task}) before another frame came.");
        }
    }

    /// <summary>The next frame, which must be of <paramref name="type"/>.</summary>
    public async Task<JsonElement> ExpectAsync(string type, TimeSpan? timeout = null)
    {
        var frame = await ReceiveAsync(timeout);
        Assert.True(frame.GetProperty("type").GetString() == type, $"Expected a {type} frame, got {frame}");
        return frame;
    }

    /// <summary>
    /// The first frame of <paramref name="type"/> that matches, consumed; the frames passed over are kept, in order,
    /// for the next <see cref="ReceiveAsync"/> or <see cref="WaitForAsync"/>.
    /// </summary>
    public async Task<JsonElement> WaitForAsync(string type, Func<JsonElement, bool>? match = null, TimeSpan? timeout = null)
    {
        bool Matches(JsonElement frame) => frame.GetProperty("type").GetString() == type && (match is null || match(frame));

        var index = _skipped.FindIndex(Matches);
        if (index >= 0)
        {
            var found = _skipped[index];
            _skipped.RemoveAt(index);
            return found;
        }

        var deadline = DateTimeOffset.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var left = deadline - DateTimeOffset.UtcNow;
            var frame = await ReceiveNewAsync(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
            if (Matches(frame))
            {
                return frame;
            }

            _skipped.Add(frame);
        }
    }

    /// <summary>Every frame not consumed yet, up to the <c>pong</c> that answers a <c>ping</c> sent now: "nothing else came".</summary>
    public async Task<List<JsonElement>> DrainAsync(TimeSpan? timeout = null)
    {
        await SendAsync(new PingRequest());
        var frames = new List<JsonElement>();
        while (true)
        {
            var frame = await ReceiveAsync(timeout);
            if (frame.GetProperty("type").GetString() == FrameTypes.Pong)
            {
                return frames;
            }

            frames.Add(frame);
        }
    }

    public async Task<JsonElement> ReceiveWelcomeAsync()
    {
        var welcome = await ExpectAsync("welcome");
        ConnectionId = welcome.GetProperty("connectionId").GetString();
        return welcome;
    }

    public async Task<JsonElement> JoinAsync(string room, long? since = null)
    {
        await SendAsync(new JoinRequest(room, since));
        return await WaitForAsync("joined", frame => frame.GetProperty("room").GetString() == room);
    }

    /// <summary>Sends a message and waits for its ack (other frames that come first are skipped).</summary>
    public async Task<JsonElement> SendMessageAsync(string room, string content, string? id = null)
    {
        id ??= Guid.NewGuid().ToString("N");
        await SendAsync(new MessageRequest(room, content, id));
        return await WaitForAsync("ack", frame => frame.TryGetProperty("id", out var ackId) && ackId.GetString() == id);
    }

    /// <summary>Waits for the server's close; returns its close code, or null when the connection broke without one.</summary>
    public async Task<int?> WaitForCloseAsync(TimeSpan? timeout = null)
    {
        StartReceiving();
        return await _closed.Task.WaitAsync(timeout ?? DefaultTimeout);
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[128 * 1024];
        try
        {
            while (true)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                await _resumed.Task;
                do
                {
                    result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        _closed.TrySetResult((int?)result.CloseStatus);
                        if (_socket.State == WebSocketState.CloseReceived)
                        {
                            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                        }

                        return;
                    }

                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);

                using var document = JsonDocument.Parse(message.ToArray());
                _frames.Writer.TryWrite(document.RootElement.Clone());
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            _closed.TrySetResult(null);
        }
        finally
        {
            _frames.Writer.TryComplete();
        }
    }

    private static TaskCompletionSource Resumed()
    {
        var resumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        resumed.SetResult();
        return resumed;
    }

    public async ValueTask DisposeAsync()
    {
        Resume();
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
                if (_receiving is not null)
                {
                    await _receiving.WaitAsync(TimeSpan.FromSeconds(5));
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or TimeoutException)
            {
                // Already gone.
            }
        }

        _socket.Dispose();
    }

    /// <summary>Registers a new account through the Gateway and logs it in.</summary>
    public static async Task<TestUser> CreateUserAsync(HttpClient gateway, string prefix = "u")
    {
        var username = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(32, prefix.Length + 21)].ToLowerInvariant();
        var password = $"pw-{Guid.NewGuid():N}";
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        var registered = await gateway.PostAsJsonAsync("/api/auth/register", new { username, password }, timeout.Token);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var account = await registered.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
        var (accessToken, refreshToken) = await LoginAsync(gateway, username, password);
        return new TestUser(account.GetProperty("userId").GetString()!, username, password, accessToken, refreshToken);
    }

    /// <summary>A fresh token pair for an existing account.</summary>
    public static async Task<(string AccessToken, string RefreshToken)> LoginAsync(HttpClient gateway, string username, string password)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        var response = await gateway.PostAsJsonAsync("/api/auth/token", new { username, password }, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tokens = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
        return (tokens.GetProperty("accessToken").GetString()!, tokens.GetProperty("refreshToken").GetString()!);
    }
}
