using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using RealtimeAspire.Client.Protocol;
using RealtimeAspire.Contracts;
using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.Client;

// The connection's life: one session at a time, reconnection with backoff, and restoring rooms and messages.
public sealed partial class RealtimeClient
{
    private long _lastReceivedAt = Environment.TickCount64;

    private async Task<RealtimeSession> OpenSessionAsync(CancellationToken cancellationToken)
    {
        var token = await _options.TokenProvider(cancellationToken);
        var session = await RealtimeSession.OpenAsync(_options.WebSocketUri, token, _options, cancellationToken);
        (UserId, Username, ConnectionId) = (session.Identity.UserId, session.Identity.Username, session.Identity.ConnectionId);
        return session;
    }

    /// <summary>Runs until the client stops; never throws, so nothing goes unobserved.</summary>
    private async Task RunAsync(RealtimeSession session)
    {
        int? closeCode = null;
        Exception? error = null;
        try
        {
            var restore = false;
            while (true)
            {
                (closeCode, error) = await RunSessionAsync(session, restore);
                Unpublish();
                _replies.FailAll(new IOException("The connection was lost before the answer arrived; try again."));
                await session.DisposeAsync();
                _options.Logger.LogInformation("Realtime connection closed ({CloseCode}): {Error}", closeCode, error?.Message);
                if (ShouldStop(closeCode))
                {
                    break;
                }

                SetState(RealtimeConnectionState.Reconnecting, closeCode, error);
                var next = await ReconnectAsync(closeCode);
                if (next is null)
                {
                    break;
                }

                (session, restore) = (next, true);
            }
        }
        catch (Exception e)
        {
            _options.Logger.LogError(e, "The realtime client's connection loop failed");
            error = e;
        }

        Stop(closeCode, error);
    }

    private bool ShouldStop(int? closeCode)
    {
        lock (_gate)
        {
            return _closed is not null || _stopping.IsCancellationRequested || !_options.AutoReconnect
                || closeCode is CloseCodes.Normal or CloseCodes.Replaced;
        }
    }

    /// <summary>Opens a new session, waiting with backoff between attempts; null when the client stops meanwhile.</summary>
    private async Task<RealtimeSession?> ReconnectAsync(int? closeCode)
    {
        // 1001: the replica drains, another one is ready now. 4401: the provider refreshes the token, then retry at once.
        var immediate = closeCode is CloseCodes.GoingAway or CloseCodes.AuthenticationFailed;
        while (!ShouldStop(null))
        {
            try
            {
                if (!immediate)
                {
                    await Task.Delay(_backoff.NextDelay(), _stopping.Token);
                }

                immediate = false;
                return await OpenSessionAsync(_stopping.Token);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return null;
            }
            catch (SessionClosedException e) when (e.CloseCode is CloseCodes.Normal or CloseCodes.Replaced)
            {
                Stop(e.CloseCode, e);
                return null;
            }
            catch (Exception e)
            {
                _options.Logger.LogWarning("Realtime reconnect failed: {Error}", e.Message);
            }
        }

        return null;
    }

    /// <summary>Receives until the session ends; after a reconnect, first rejoins the rooms and resends waiting messages.</summary>
    private async Task<(int? CloseCode, Exception? Error)> RunSessionAsync(RealtimeSession session, bool restore)
    {
        using var sessionEnd = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        Volatile.Write(ref _lastReceivedAt, Environment.TickCount64);
        var receiving = ReceiveLoopAsync(session, sessionEnd.Token);
        var heartbeat = HeartbeatAsync(session, sessionEnd.Token);
        if (restore)
        {
            try
            {
                await RestoreAsync(session, sessionEnd.Token);
                SetState(RealtimeConnectionState.Connected);
                _backoff.Reset();
            }
            catch (Exception e)
            {
                _options.Logger.LogWarning("Restoring rooms after a reconnect failed: {Error}", e.Message);
                session.Abort();
            }
        }

        var outcome = await receiving;
        await sessionEnd.CancelAsync();
        await heartbeat;
        return outcome;
    }

    private async Task<(int?, Exception?)> ReceiveLoopAsync(RealtimeSession session, CancellationToken cancellationToken)
    {
        try
        {
            while (await session.ReceiveAsync(cancellationToken) is { } frame)
            {
                Volatile.Write(ref _lastReceivedAt, Environment.TickCount64);
                await DispatchAsync(frame, cancellationToken);
            }

            return (session.CloseCode, null);
        }
        catch (Exception e)
        {
            return (session.CloseCode, e is OperationCanceledException && _stopping.IsCancellationRequested ? null : e);
        }
    }

    /// <summary>Pings every heartbeat interval, drops a server silent for two, and re-authenticates when the token is due.</summary>
    private async Task HeartbeatAsync(RealtimeSession session, CancellationToken cancellationToken)
    {
        var interval = session.Welcome.HeartbeatIntervalMs > 0
            ? TimeSpan.FromMilliseconds(session.Welcome.HeartbeatIntervalMs)
            : _options.DefaultHeartbeatInterval;
        var refreshAt = Environment.TickCount64 + (long)(_options.TokenRefreshInterval ?? Timeout.InfiniteTimeSpan).TotalMilliseconds;
        using var timer = new PeriodicTimer(interval);
        long lastPingAt = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var now = Environment.TickCount64;
                var lastReceivedAt = Volatile.Read(ref _lastReceivedAt);
                // Silent: nothing for two intervals and our last ping unanswered for one. Requiring a ping keeps a
                // tick that comes late on a busy machine from being taken for a silent server.
                if (lastPingAt > 0 && lastReceivedAt < lastPingAt && now - lastPingAt >= interval.TotalMilliseconds
                    && now - lastReceivedAt > 2 * interval.TotalMilliseconds)
                {
                    _options.Logger.LogWarning("The server sent nothing for two heartbeat intervals; reconnecting");
                    session.Abort();
                    return;
                }

                await session.SendAsync(new PingRequest(), cancellationToken);
                lastPingAt = Environment.TickCount64;
                if (_options.TokenRefreshInterval is { } refreshInterval && now >= refreshAt)
                {
                    refreshAt = now + (long)refreshInterval.TotalMilliseconds;
                    var token = await _options.TokenProvider(cancellationToken);
                    await session.SendAsync(new AuthRequest(token), cancellationToken);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The session ended; the receive loop reports why.
        }
        catch (Exception e)
        {
            // The token provider failed: keep the connection; the server closes it with 4401 when the token expires.
            _options.Logger.LogWarning("Refreshing the realtime token failed: {Error}", e.Message);
        }
    }

    /// <summary>Rejoins every room with <c>since</c>, then makes the session usable and resends waiting messages with their ids.</summary>
    private async Task RestoreAsync(RealtimeSession session, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        await Task.WhenAll(_rooms.Select(room => RejoinAsync(session, room.Key, room.Value.ResumeFrom, timeout.Token)));

        IReadOnlyList<MessageRequest> waiting;
        lock (_gate)
        {
            // Publishing and taking the snapshot together: a message sent from now on goes out by itself.
            waiting = _messages.Snapshot();
            PublishLocked(session);
        }

        foreach (var message in waiting)
        {
            await session.SendAsync(message, timeout.Token);
        }
    }

    private async Task RejoinAsync(RealtimeSession session, string room, long since, CancellationToken cancellationToken)
    {
        var entry = _replies.Add("join", room);
        try
        {
            await session.SendAsync(new JoinRequest(room, since), cancellationToken);
            var joined = (JoinedRoom)await entry.Reply.Task.WaitAsync(cancellationToken);
            await RaiseAsync(new RoomRejoined(joined), cancellationToken);
        }
        catch (RealtimeErrorException e)
        {
            // E.g. removed from a private room while away: the room is gone for this client.
            _rooms.TryRemove(room, out _);
            await RaiseAsync(e.Error, cancellationToken);
        }
        finally
        {
            _replies.Remove(entry);
        }
    }

    private void Publish(RealtimeSession session)
    {
        lock (_gate)
        {
            PublishLocked(session);
        }
    }

    private void PublishLocked(RealtimeSession session)
    {
        _session = session;
        _sessionChanged.TrySetResult();
        _sessionChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private void Unpublish()
    {
        lock (_gate)
        {
            _session = null;
        }
    }

    /// <summary>Stops for good: fails everything waiting, ends the event readers.</summary>
    private void Stop(int? closeCode, Exception? error)
    {
        RealtimeClosedException closed;
        lock (_gate)
        {
            if (State == RealtimeConnectionState.Closed)
            {
                return;
            }

            closed = _closed ??= new RealtimeClosedException($"The connection closed ({closeCode?.ToString() ?? error?.Message ?? "stopped"}).", closeCode);
            _session = null;
            _sessionChanged.TrySetResult();
        }

        _messages.FailAll(closed);
        _replies.FailAll(closed);
        SetState(RealtimeConnectionState.Closed, closeCode, error);
        CompleteReaders();
    }
}
