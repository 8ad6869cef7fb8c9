using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.SignalR;
using RealtimeAspire.ConnectionService.Connections;
using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.Contracts;
using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.ConnectionService.Hubs;

/// <summary>
/// Turns the frames of a <see cref="RealtimeConnection"/> into SignalR: the answer the frame handler gives to the hub
/// call in progress (<see cref="RealtimeConnection.TryAnswer"/>) becomes that call's result, once every frame the call
/// queued before its end was written; every other frame is sent as the event of its <c>type</c>, the frame as its argument.
/// </summary>
public sealed class HubFrameTransport(IHubContext<RealtimeHub> hub, HubCallerContext caller) : IFrameTransport
{
    /// <summary>Queued after a call's work: every frame the call produced has been written or taken as its answer.</summary>
    public static readonly ReadOnlyMemory<byte> EndOfCall = ReadOnlyMemory<byte>.Empty;

    private static readonly HashSet<string> Events =
    [
        FrameTypes.Message, FrameTypes.UserJoined, FrameTypes.UserLeft, FrameTypes.UserTyping, FrameTypes.Notification,
        FrameTypes.Error, FrameTypes.Left, FrameTypes.Event, FrameTypes.MessageEdited, FrameTypes.MessageDeleted, FrameTypes.Reaction,
        FrameTypes.Read, FrameTypes.Receipt,
    ];

    private readonly Lock _sync = new();
    private PendingCall? _call;
    private bool _closed;

    /// <summary>Starts a hub call; its task gives the call's answer, or null when it has none.</summary>
    public Task<RawJsonFrame?> BeginCall()
    {
        lock (_sync)
        {
            _call = new PendingCall();
            if (_closed)
            {
                _call.Result.TrySetResult(null);
            }

            return _call.Result.Task;
        }
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        if (frame.IsEmpty)
        {
            EndCall();
            return;
        }

        var type = FrameCodec.ReadHeader(frame.Span).Type;
        if (type is null || !Events.Contains(type))
        {
            // welcome, auth_success, auth_failed and pong have no SignalR counterpart.
            return;
        }

        try
        {
            await hub.Clients.Client(caller.ConnectionId).SendCoreAsync(type, [new RawJsonFrame(frame)], cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The SignalR connection is gone; its OnDisconnectedAsync tears the connection down.
        }
    }

    public void Close(int code, string reason)
    {
        lock (_sync)
        {
            _closed = true;
            _call?.Result.TrySetResult(null);
        }

        // "Stop" codes end the client for good; the others (drain, expired token, slow consumer) ask a
        // reconnecting client to come back, as the WebSocket close codes do.
        if (code is CloseCodes.Replaced or CloseCodes.Blocked or CloseCodes.Normal
            || caller.Features.Get<IConnectionLifetimeNotificationFeature>() is not { } lifetime)
        {
            caller.Abort();
        }
        else
        {
            lifetime.RequestClose();
        }
    }

    public void Abort()
    {
        Close(CloseCodes.Normal, "");
    }

    public bool TryTakeAnswer(ReadOnlyMemory<byte> frame)
    {
        lock (_sync)
        {
            if (_call is not { Answer: null } call)
            {
                return false;
            }

            // Copied: the frame may be a shared buffer, and the answer outlives this write.
            call.Answer = new RawJsonFrame(frame.ToArray());
            return true;
        }
    }

    private void EndCall()
    {
        lock (_sync)
        {
            _call?.Result.TrySetResult(_call.Answer);
            _call = null;
        }
    }

    private sealed class PendingCall
    {
        public RawJsonFrame? Answer { get; set; }

        public TaskCompletionSource<RawJsonFrame?> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
