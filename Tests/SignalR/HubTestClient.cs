using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.SignalR;

/// <summary>
/// A .NET SignalR client of /hub for tests: keeps every client event in order (its frame, whose <c>type</c> is the
/// event's name) and calls the hub methods with a timeout. The replica it landed on is the Gateway's
/// <c>X-Realtime-Replica</c> header of its last HTTP answer (the affinity cookie keeps it there).
/// </summary>
public sealed class HubTestClient : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static readonly string[] EventNames =
        ["message", "user_joined", "user_left", "user_typing", "notification", "error", "left", "event", "message_edited", "message_deleted", "reaction", "read", "receipt"];

    private readonly Channel<JsonElement> _events = Channel.CreateUnbounded<JsonElement>();
    private readonly ReplicaRecorder _replica;
    private readonly TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HubTestClient(HubConnection connection, ReplicaRecorder replica)
    {
        Connection = connection;
        _replica = replica;
        foreach (var name in EventNames)
        {
            connection.On<JsonElement>(name, frame => _events.Writer.TryWrite(frame));
        }

        connection.Closed += error =>
        {
            _closed.TrySetResult(error);
            return Task.CompletedTask;
        };
    }

    public HubConnection Connection { get; }

    public string? ReplicaId => _replica.Replica;

    /// <summary>Completes when the connection is closed for good (no reconnect follows).</summary>
    public Task<Exception?> Closed => _closed.Task;

    /// <param name="keepCookies">false: a client that sends no cookie at all, like SignalR clients that keep none.</param>
    public static async Task<HubTestClient> ConnectAsync(
        Uri gateway, TestUser user, HttpTransportType transport = HttpTransportType.WebSockets, bool reconnect = false,
        bool keepCookies = true)
    {
        var replica = new ReplicaRecorder();
        var builder = new HubConnectionBuilder().WithUrl(new Uri(gateway, "/hub"), transport, options =>
        {
            options.AccessTokenProvider = () => Task.FromResult<string?>(user.AccessToken);
            options.HttpMessageHandlerFactory = inner =>
            {
                if (!keepCookies && inner is HttpClientHandler handler)
                {
                    handler.UseCookies = false;
                }

                return new ReplicaHandler(inner, replica);
            };
            if (!keepCookies)
            {
                options.WebSocketConfiguration = socket => socket.Cookies = null;
            }
        });
        if (reconnect)
        {
            // Long enough for the Gateway to take a stopped replica out of its cluster (two failed checks, 2 s apart).
            builder.WithAutomaticReconnect([TimeSpan.Zero, TimeSpan.FromMilliseconds(500), .. Enumerable.Repeat(TimeSpan.FromSeconds(2), 15)]);
        }

        var client = new HubTestClient(builder.Build(), replica);
        client.Connection.ServerTimeout = TimeSpan.FromSeconds(60);
        await client.Connection.StartAsync().WaitAsync(Timeout);
        return client;
    }

    public Task<JsonElement> JoinAsync(string room, long? since = null) => InvokeAsync("Join", room, since);

    public Task<JsonElement> LeaveAsync(string room) => InvokeAsync("Leave", room);

    public Task<JsonElement> SendAsync(string room, string content, string? id = null) => InvokeAsync("Send", room, content, id);

    public Task<JsonElement> PresenceAsync(string room) => InvokeAsync("Presence", room);

    public async Task<JsonElement?> TypingAsync(string room) =>
        await Connection.InvokeCoreAsync<JsonElement?>("Typing", [room]).WaitAsync(Timeout);

    public async Task<JsonElement> InvokeAsync(string method, params object?[] arguments) =>
        await Connection.InvokeCoreAsync<JsonElement>(method, arguments).WaitAsync(Timeout);

    /// <summary>The next event of <paramref name="type"/> (matching <paramref name="match"/>); events before it are skipped.</summary>
    public async Task<JsonElement> WaitForAsync(string type, Func<JsonElement, bool>? match = null, TimeSpan? timeout = null)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? Timeout);
        try
        {
            while (true)
            {
                var frame = await _events.Reader.ReadAsync(cancellation.Token);
                if (frame.GetProperty("type").GetString() == type && (match is null || match(frame)))
                {
                    return frame;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No {type} event within {timeout ?? Timeout}.");
        }
    }

    /// <summary>The events that arrive within <paramref name="quiet"/> (default 1 s) of each other.</summary>
    public async Task<List<JsonElement>> DrainAsync(TimeSpan? quiet = null)
    {
        var frames = new List<JsonElement>();
        while (true)
        {
            using var cancellation = new CancellationTokenSource(quiet ?? TimeSpan.FromSeconds(1));
            try
            {
                frames.Add(await _events.Reader.ReadAsync(cancellation.Token));
            }
            catch (OperationCanceledException)
            {
                return frames;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Connection.DisposeAsync().AsTask().WaitAsync(Timeout);
        }
        catch (Exception e) when (e is TimeoutException or ObjectDisposedException)
        {
        }
    }

    private sealed class ReplicaRecorder
    {
        public volatile string? Replica;
    }

    private sealed class ReplicaHandler(HttpMessageHandler inner, ReplicaRecorder recorder) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.BadGateway && response.Headers.TryGetValues("X-Realtime-Replica", out var values))
            {
                recorder.Replica = values.First();
            }

            return response;
        }
    }
}
