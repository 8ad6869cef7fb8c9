using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using RealtimeAspire.Contracts;
using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.Tests.Browser;

/// <summary>
/// The Gateway's web client (Gateway/wwwroot) served by an in-process stand-in for the real services: just
/// enough of /api/auth, /api/rooms and realtime.v1 on /ws, with switches the real system has no way to flip
/// on demand — close every connection with a given code, refuse new ones, issue short-lived tokens. It lets
/// the browser tests pin down the client's reconnection rules exactly; the real system is tested end to end
/// in <see cref="ChatBrowserTests"/>.
/// </summary>
public sealed class FakeChatBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<MessageFrame>> _rooms = [];
    private readonly Dictionary<string, AckFrame> _acks = [];
    private readonly List<Connection> _connections = [];
    private int _refreshTokens;

    private FakeChatBackend(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    /// <summary>While true, WebSocket upgrades get 503, as from a Gateway with no healthy replica.</summary>
    public bool RefuseConnections { get; set; }

    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// When set, the next message is stored and delivered but its sender's connection drops before the ack, as
    /// when a replica dies right after its commit: the client must resend it with the same id.
    /// </summary>
    public bool DropNextAck { get; set; }

    /// <summary>Every frame a client sent, with its user: what the tests inspect.</summary>
    public ConcurrentQueue<(string User, JsonObject Frame)> Received { get; } = new();

    /// <summary>The access token of every accepted WebSocket, in order.</summary>
    public ConcurrentQueue<(string User, string Token)> Connected { get; } = new();

    public int RefreshCount => Volatile.Read(ref _refreshTokens);

    public static async Task<FakeChatBackend> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var backend = new FakeChatBackend(app);

        var files = new PhysicalFileProvider(WebRoot());
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        app.UseWebSockets();
        app.MapPost("/api/auth/register", async (HttpRequest request) =>
        {
            var body = await ReadAsync(request);
            return Json(new { userId = UserId(body["username"]!.GetValue<string>()), username = body["username"]!.GetValue<string>() }, 201);
        });
        app.MapPost("/api/auth/token", async (HttpRequest request) =>
            Json(backend.Tokens((await ReadAsync(request))["username"]!.GetValue<string>())));
        app.MapPost("/api/auth/refresh", async (HttpRequest request) =>
        {
            Interlocked.Increment(ref backend._refreshTokens);
            var username = (await ReadAsync(request))["refreshToken"]!.GetValue<string>().Split(':')[0];
            return Json(backend.Tokens(username));
        });
        app.MapGet("/api/rooms/{room}/messages", (string room, long? before, long? after, int? limit) =>
            Results.Text(FrameCodec.EncodeToString(new MessagesPage(backend.History(room, before, after, limit ?? 50))), "application/json"));
        app.Map("/ws", backend.AcceptAsync);

        await app.StartAsync();
        backend.Url = new Uri(app.Urls.First());
        return backend;
    }

    /// <summary>Closes every live WebSocket with <paramref name="code"/>, as a draining or failing replica would.</summary>
    public async Task CloseAllAsync(WebSocketCloseStatus code)
    {
        List<Connection> connections;
        lock (_gate)
        {
            connections = [.. _connections];
        }
        foreach (var connection in connections)
        {
            await connection.CloseAsync(code);
        }
    }

    /// <summary>Posts a message into a room as another user would, through the server.</summary>
    public Task PublishAsync(string room, string username, string content) => BroadcastMessageAsync(room, username, content, null);

    /// <summary>A message with structured <paramref name="data"/> (protocol.md §5), with or without text.</summary>
    public Task PublishDataAsync(string room, string username, JsonElement data, string? content = null) =>
        BroadcastMessageAsync(room, username, content, null, data: data);

    public IEnumerable<JsonObject> FramesOf(string user, string type) =>
        Received.Where(r => r.User == user && (string?)r.Frame["type"] == type).Select(r => r.Frame);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private object Tokens(string username)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new
        {
            sub = UserId(username),
            name = username,
            iat = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            exp = DateTimeOffset.UtcNow.Add(TokenLifetime).ToUnixTimeSeconds(),
            jti = Guid.NewGuid().ToString("N"),
        });
        var accessToken = $"eyJhbGciOiJub25lIn0.{Convert.ToBase64String(payload).TrimEnd('=').Replace('+', '-').Replace('/', '_')}.fake";
        return new { accessToken, tokenType = "Bearer", expiresIn = (int)TokenLifetime.TotalSeconds, refreshToken = $"{username}:{Guid.NewGuid():N}" };
    }

    private List<MessageFrame> History(string room, long? before, long? after, int limit)
    {
        lock (_gate)
        {
            var messages = _rooms.GetValueOrDefault(room) ?? [];
            var selected = messages.Where(m => (before is null || m.Seq < before) && (after is null || m.Seq > after));
            return [.. after is not null && before is null ? selected.Take(limit) : selected.TakeLast(limit)];
        }
    }

    private async Task AcceptAsync(HttpContext http)
    {
        if (RefuseConnections || !http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        var token = http.Request.Query["access_token"].ToString();
        var claims = JsonNode.Parse(Convert.FromBase64String(Pad(token.Split('.')[1])))!;
        var username = claims["name"]!.GetValue<string>();
        using var socket = await http.WebSockets.AcceptWebSocketAsync(FrameTypes.ProtocolName);
        var connection = new Connection(socket, username);
        Connected.Enqueue((username, token));
        lock (_gate)
        {
            _connections.Add(connection);
        }

        try
        {
            await connection.SendAsync(new WelcomeFrame(Guid.NewGuid().ToString("N"), 30000, FrameTypes.ProtocolName));
            await connection.SendAsync(new AuthSuccessFrame(UserId(username), username, "c"));
            while (await connection.ReceiveAsync() is { } frame)
            {
                Received.Enqueue((username, JsonNode.Parse(frame)!.AsObject()));
                await HandleAsync(connection, TryDecode(frame));
            }
        }
        catch (WebSocketException)
        {
            // The browser went away.
        }
        finally
        {
            lock (_gate)
            {
                _connections.Remove(connection);
            }
        }
    }

    private async Task HandleAsync(Connection connection, IClientFrame? frame)
    {
        switch (frame)
        {
            case JoinRequest join:
                List<MessageFrame> missed;
                long seq;
                lock (_gate)
                {
                    connection.Rooms.Add(join.Room);
                    var messages = _rooms.TryGetValue(join.Room, out var list) ? list : _rooms[join.Room] = [];
                    seq = messages.Count == 0 ? 0 : messages[^1].Seq;
                    missed = join.Since is not { } since ? [] : [.. messages.Where(m => m.Seq > since)];
                }
                foreach (var message in missed)
                {
                    await connection.SendAsync(message);
                }
                await connection.SendAsync(new JoinedFrame(join.Room, seq, true, Members(join.Room)));
                break;
            case MessageRequest message:
                await BroadcastMessageAsync(message.Room, connection.Username, message.Content, message.Id, connection, message.Data);
                break;
            case TypingRequest typing:
                await BroadcastAsync(typing.Room, new RoomUserFrame(FrameTypes.UserTyping, typing.Room, UserId(connection.Username), connection.Username), except: connection);
                break;
            case PresenceRequest presence:
                await connection.SendAsync(new PresenceFrame(presence.Room, Members(presence.Room)));
                break;
            case PingRequest:
                await connection.SendAsync(new PongFrame(DateTimeOffset.UtcNow));
                break;
            case AuthRequest:
                await connection.SendAsync(new AuthSuccessFrame(UserId(connection.Username), connection.Username, "c"));
                break;
        }
    }

    private async Task BroadcastMessageAsync(
        string room, string username, string? content, string? clientId, Connection? sender = null, JsonElement? data = null)
    {
        MessageFrame? message = null;
        AckFrame? ack;
        lock (_gate)
        {
            if (clientId is not null && _acks.TryGetValue($"{username}:{clientId}", out var earlier))
            {
                ack = earlier;
            }
            else
            {
                var messages = _rooms.TryGetValue(room, out var list) ? list : _rooms[room] = [];
                var seq = messages.Count == 0 ? 1 : messages[^1].Seq + 1;
                message = new MessageFrame(room, Guid.NewGuid().ToString(), seq, UserId(username), username, content, DateTimeOffset.UtcNow, data);
                messages.Add(message);
                ack = clientId is null ? null : new AckFrame(clientId, room, message.MessageId, seq);
                if (ack is not null)
                {
                    _acks[$"{username}:{clientId}"] = ack;
                }
            }
        }

        if (message is not null)
        {
            await BroadcastAsync(room, message);
        }
        if (ack is not null && sender is not null)
        {
            if (DropNextAck && message is not null)
            {
                DropNextAck = false;
                await sender.CloseAsync(WebSocketCloseStatus.InternalServerError);
                return;
            }
            await sender.SendAsync(ack);
        }
    }

    private async Task BroadcastAsync<T>(string room, T frame, Connection? except = null) where T : IServerFrame
    {
        List<Connection> targets;
        lock (_gate)
        {
            targets = _connections.Where(c => c != except && c.Rooms.Contains(room)).ToList();
        }
        foreach (var target in targets)
        {
            await target.SendAsync(frame);
        }
    }

    private List<PresenceMember> Members(string room)
    {
        lock (_gate)
        {
            return [.. _connections.Where(c => c.Rooms.Contains(room)).Select(c => c.Username).Distinct()
                .Select(name => new PresenceMember(UserId(name), name))];
        }
    }

    private static IResult Json(object value, int status = 200) =>
        Results.Text(JsonSerializer.Serialize(value, value.GetType()), "application/json", statusCode: status);

    // A frame the page should never send is recorded in Received and otherwise ignored, as by a lenient server.
    private static IClientFrame? TryDecode(byte[] frame)
    {
        try
        {
            return FrameCodec.DecodeClientFrame(frame);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string UserId(string username) => $"id-{username}";

    private static string Pad(string base64Url)
    {
        var base64 = base64Url.Replace('-', '+').Replace('_', '/');
        return base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
    }

    private static async Task<JsonObject> ReadAsync(HttpRequest request) =>
        (await JsonNode.ParseAsync(request.Body))!.AsObject();

    private static string WebRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "RealtimeAspire.sln")))
        {
            directory = directory.Parent;
        }
        return Path.Combine(directory?.FullName ?? throw new DirectoryNotFoundException("RealtimeAspire.sln"), "Gateway", "wwwroot");
    }

    private sealed class Connection(WebSocket socket, string username)
    {
        private readonly SemaphoreSlim _sending = new(1, 1);

        public string Username => username;

        public HashSet<string> Rooms { get; } = [];

        public async Task SendAsync<T>(T frame) where T : IServerFrame
        {
            var bytes = FrameCodec.Encode(frame);
            await _sending.WaitAsync();
            try
            {
                if (socket.State == WebSocketState.Open)
                {
                    await socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None);
                }
            }
            catch (WebSocketException)
            {
                // Closed meanwhile.
            }
            finally
            {
                _sending.Release();
            }
        }

        public async Task<byte[]?> ReceiveAsync()
        {
            var buffer = new byte[64 * 1024];
            using var text = new MemoryStream();
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return null;
                }
                text.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    return text.ToArray();
                }
            }
        }

        public async Task CloseAsync(WebSocketCloseStatus code)
        {
            await _sending.WaitAsync();
            try
            {
                await socket.CloseOutputAsync(code, "test", CancellationToken.None);
            }
            catch (WebSocketException)
            {
                // Already gone.
            }
            finally
            {
                _sending.Release();
            }
        }
    }
}
