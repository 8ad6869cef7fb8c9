using System.Text.Json;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using RealtimeAspire.Client.Protocol;
using RealtimeAspire.Contracts;
using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.Client;

/// <summary>
/// A client of the realtime.v1 WebSocket protocol. It reconnects by itself (exponential backoff with full
/// jitter), rejoins its rooms with <c>since</c> so no message is missed, resends un-acknowledged messages with
/// the same id (the server deduplicates them) and drops duplicate deliveries by <c>seq</c>.
/// </summary>
/// <remarks>
/// Event handlers run on the connection's receive loop: keep them short. An exception from a handler is
/// logged and does not stop the client. Thread-safe.
/// </remarks>
public sealed partial class RealtimeClient : IAsyncDisposable
{
    private readonly RealtimeClientOptions _options;
    private readonly ReconnectBackoff _backoff;
    private readonly PendingReplies _replies = new();
    private readonly PendingMessages _messages = new();
    private readonly ConcurrentDictionary<string, RoomState> _rooms = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private RealtimeSession? _session;
    private TaskCompletionSource _sessionChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private RealtimeClosedException? _closed;
    private Task _run = Task.CompletedTask;
    private int _started;

    /// <summary>Creates a client; nothing happens until <see cref="ConnectAsync"/>.</summary>
    public RealtimeClient(RealtimeClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _backoff = new ReconnectBackoff(options.ReconnectBaseDelay, options.ReconnectMaxDelay);
    }

    /// <summary>A message of a joined room (each <c>seq</c> once, in order).</summary>
    public event EventHandler<ChatMessage>? MessageReceived;

    /// <summary>A user's first connection joined one of the client's rooms.</summary>
    public event EventHandler<UserJoined>? MemberJoined;

    /// <summary>A user's last connection left one of the client's rooms.</summary>
    public event EventHandler<UserLeft>? MemberLeft;

    /// <summary>Another user is typing in one of the client's rooms.</summary>
    public event EventHandler<UserTyping>? TypingReceived;

    /// <summary>A notification for this user, e.g. a mention.</summary>
    public event EventHandler<Notification>? NotificationReceived;

    /// <summary>An <c>error</c> frame that answers none of the client's pending requests.</summary>
    public event EventHandler<ServerError>? ErrorReceived;

    /// <summary>A room was rejoined after a reconnect; <see cref="JoinedRoom.Recovered"/> false means missed messages must be fetched over HTTP.</summary>
    public event EventHandler<RoomRejoined>? Rejoined;

    /// <summary>The server took this client out of a room (e.g. removed from a private room).</summary>
    public event EventHandler<RoomRemoval>? RemovedFromRoom;

    /// <summary>The connection state changed.</summary>
    public event EventHandler<ConnectionStateChanged>? StateChanged;

    /// <summary>The current state.</summary>
    public RealtimeConnectionState State { get; private set; }

    /// <summary>The authenticated user's id, once connected.</summary>
    public string? UserId { get; private set; }

    /// <summary>The authenticated user's name, once connected.</summary>
    public string? Username { get; private set; }

    /// <summary>The server's id of the current connection.</summary>
    public string? ConnectionId { get; private set; }

    /// <summary>The rooms the client is in; they are rejoined after a reconnect.</summary>
    public IReadOnlyCollection<string> Rooms => [.. _rooms.Keys];

    /// <summary>The last <c>seq</c> received in <paramref name="room"/>, if any.</summary>
    public long? GetLastSeq(string room) => _rooms.TryGetValue(room, out var state) ? state.LastSeq : null;

    /// <summary>Opens and authenticates the first connection; afterwards the client keeps itself connected.</summary>
    /// <exception cref="InvalidOperationException">Called twice.</exception>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            throw new InvalidOperationException("ConnectAsync was already called.");
        }

        SetState(RealtimeConnectionState.Connecting);
        RealtimeSession session;
        try
        {
            session = await OpenSessionAsync(cancellationToken);
        }
        catch (Exception e)
        {
            Stop(null, e);
            throw;
        }

        Publish(session);
        SetState(RealtimeConnectionState.Connected);
        _run = RunAsync(session);
    }

    /// <summary>Joins <paramref name="room"/>. Its messages arrive from now on, and after a reconnect the gap is filled.</summary>
    /// <exception cref="RealtimeErrorException">E.g. <c>forbidden</c> or <c>invalid_room</c>.</exception>
    /// <exception cref="TimeoutException">No answer within <see cref="RealtimeClientOptions.RequestTimeout"/>.</exception>
    public async Task<JoinedRoom> JoinAsync(string room, CancellationToken cancellationToken = default) =>
        (JoinedRoom)await RequestAsync("join", room, new JoinRequest(room, null), cancellationToken);

    /// <summary>Leaves <paramref name="room"/>.</summary>
    public async Task LeaveAsync(string room, CancellationToken cancellationToken = default)
    {
        await RequestAsync("leave", room, new LeaveRequest(room), cancellationToken);
        _rooms.TryRemove(room, out _);
    }

    /// <summary>Who is in <paramref name="room"/> now.</summary>
    public async Task<RoomPresence> PresenceAsync(string room, CancellationToken cancellationToken = default) =>
        (RoomPresence)await RequestAsync("presence", room, new PresenceRequest(room), cancellationToken);

    /// <summary>Tells the room's other users that this one is typing. No answer comes back.</summary>
    /// <exception cref="InvalidOperationException">The room was not joined.</exception>
    public async Task TypingAsync(string room, CancellationToken cancellationToken = default)
    {
        if (!_rooms.ContainsKey(room))
        {
            throw new InvalidOperationException($"Join '{room}' before sending typing to it.");
        }

        using var timeout = RequestTimeout(cancellationToken);
        try
        {
            var session = await WaitForSessionAsync(timeout.Token);
            await SendOrThrowAsync(session, new TypingRequest(room), timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOut("typing");
        }
    }

    /// <summary>
    /// Sends a message and completes with its <c>ack</c>. Across reconnects it is resent with the same
    /// <paramref name="id"/> until acknowledged or the request timeout passes; the server stores it once.
    /// </summary>
    /// <param name="room">A joined room.</param>
    /// <param name="content">The text (at most 4,000 characters).</param>
    /// <param name="id">The client's id of the message; a new UUID v7 when null.</param>
    /// <param name="cancellationToken">Stops waiting (the message may still be delivered).</param>
    /// <exception cref="RealtimeErrorException">E.g. <c>not_joined</c>, <c>rate_limited</c>, <c>content_too_long</c>
    /// (<c>unavailable</c> is retried after its <c>retryAfterMs</c> within the timeout).</exception>
    /// <exception cref="TimeoutException">No ack within <see cref="RealtimeClientOptions.RequestTimeout"/>.</exception>
    public Task<MessageAck> SendAsync(string room, string content, string? id = null, CancellationToken cancellationToken = default) =>
        SendRequestAsync(new MessageRequest(room, content, id ?? Guid.CreateVersion7().ToString()), cancellationToken);

    /// <summary>
    /// Sends a message with structured <paramref name="data"/> (a JSON object of at most 16 KiB), with or without
    /// text, and completes with its <c>ack</c>; resent across reconnects as <see cref="SendAsync(string, string, string?, CancellationToken)"/>.
    /// </summary>
    /// <param name="room">A joined room.</param>
    /// <param name="data">A JSON object; receivers get it exactly as sent (key order aside).</param>
    /// <param name="content">Text beside the data, or null.</param>
    /// <param name="id">The client's id of the message; a new UUID v7 when null.</param>
    /// <param name="cancellationToken">Stops waiting (the message may still be delivered).</param>
    /// <exception cref="RealtimeErrorException">E.g. <c>data_too_large</c>, <c>invalid_message</c> (data not an object), <c>not_joined</c>.</exception>
    /// <exception cref="TimeoutException">No ack within <see cref="RealtimeClientOptions.RequestTimeout"/>.</exception>
    public Task<MessageAck> SendAsync(string room, JsonElement data, string? content = null, string? id = null, CancellationToken cancellationToken = default) =>
        SendRequestAsync(new MessageRequest(room, content, id ?? Guid.CreateVersion7().ToString(), data.Clone()), cancellationToken);

    private async Task<MessageAck> SendRequestAsync(MessageRequest request, CancellationToken cancellationToken)
    {
        using var timeout = RequestTimeout(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    return await SendOnceAsync(request, timeout.Token);
                }
                catch (RealtimeErrorException e) when (e.Code == ErrorCodes.Unavailable)
                {
                    // Nothing was stored or delivered, and the same id makes the retry safe.
                    await Task.Delay(TimeSpan.FromMilliseconds(e.Error.RetryAfterMs ?? 1000), timeout.Token);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOut("message");
        }
    }

    private async Task<MessageAck> SendOnceAsync(MessageRequest request, CancellationToken cancellationToken)
    {
        var entry = _messages.Add(request);
        try
        {
            RealtimeSession? session;
            lock (_gate)
            {
                ThrowIfClosed();
                session = _session; // null while reconnecting: the reconnect resends every waiting message
            }

            if (session is not null)
            {
                await TrySendAsync(session, request, cancellationToken);
            }

            return await entry.Ack.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            _messages.Remove(entry);
        }
    }

    /// <summary>
    /// Every event (messages, members, typing, notifications, unanswered errors, state changes) from now until the
    /// client closes. A reader sees the events from its first <c>MoveNextAsync</c> on. Each reader has its own
    /// bounded buffer; a full buffer makes the connection wait for it.
    /// </summary>
    public async IAsyncEnumerable<RealtimeEvent> ReadEventsAsync(
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var reader = AddReader();
        try
        {
            await foreach (var item in reader.Reader.ReadAllAsync(cancellationToken))
            {
                yield return item;
            }
        }
        finally
        {
            RemoveReader(reader);
        }
    }

    /// <summary>Closes the connection with 1000 and stops reconnecting. Waiting requests fail with <see cref="RealtimeClosedException"/>.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        RealtimeSession? session;
        lock (_gate)
        {
            _closed ??= new RealtimeClosedException("The client was closed.", CloseCodes.Normal);
            session = _session;
        }

        if (session is not null)
        {
            await session.CloseAsync(CloseCodes.Normal, TimeSpan.FromSeconds(2));
        }

        // The server answers the close and the run loop ends by itself; don't wait for a server that doesn't.
        await Task.WhenAny(_run, Task.Delay(TimeSpan.FromSeconds(2), cancellationToken));
        await _stopping.CancelAsync();
        await _run.WaitAsync(cancellationToken);
        Stop(CloseCodes.Normal, null);
    }

    /// <inheritdoc cref="CloseAsync"/>
    public async ValueTask DisposeAsync() => await CloseAsync();

    private CancellationTokenSource RequestTimeout(CancellationToken cancellationToken)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        timeout.CancelAfter(_options.RequestTimeout);
        return timeout;
    }

    private async Task<object> RequestAsync<T>(string kind, string room, T request, CancellationToken cancellationToken)
        where T : IClientFrame
    {
        using var timeout = RequestTimeout(cancellationToken);
        try
        {
            var session = await WaitForSessionAsync(timeout.Token);
            var entry = _replies.Add(kind, room);
            try
            {
                await SendOrThrowAsync(session, request, timeout.Token);
                return await entry.Reply.Task.WaitAsync(timeout.Token);
            }
            finally
            {
                _replies.Remove(entry);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(kind);
        }
    }

    private Exception TimedOut(string kind)
    {
        lock (_gate)
        {
            return _closed is not null
                ? new RealtimeClosedException(_closed.Message, _closed.CloseCode)
                : new TimeoutException($"No answer to '{kind}' within {_options.RequestTimeout}.");
        }
    }

    private async Task SendOrThrowAsync<T>(RealtimeSession session, T frame, CancellationToken cancellationToken)
        where T : IClientFrame
    {
        if (!await TrySendAsync(session, frame, cancellationToken))
        {
            throw new IOException("The connection was lost while sending; try again once reconnected.");
        }
    }

    private static async Task<bool> TrySendAsync<T>(RealtimeSession session, T frame, CancellationToken cancellationToken)
        where T : IClientFrame
    {
        try
        {
            await session.SendAsync(frame, cancellationToken);
            return true;
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or InvalidOperationException)
        {
            return false; // the connection dropped under us; the run loop notices and reconnects
        }
    }

    private async Task<RealtimeSession> WaitForSessionAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                ThrowIfClosed();
                if (_session is not null)
                {
                    return _session;
                }

                if (_started == 0)
                {
                    throw new InvalidOperationException("Call ConnectAsync first.");
                }

                changed = _sessionChanged.Task;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    private void ThrowIfClosed()
    {
        if (_closed is not null)
        {
            throw new RealtimeClosedException(_closed.Message, _closed.CloseCode);
        }
    }
}
