using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.ConnectionService.Redis;
using RealtimeAspire.ConnectionService.Rooms;
using RealtimeAspire.ConnectionService.Upstream;
using RealtimeAspire.Contracts;
using RealtimeAspire.Contracts.Frames;
using StackExchange.Redis;

namespace RealtimeAspire.ConnectionService.Connections;

/// <summary>Carries out the cluster-wide orders on rt:control: kick a user out of a room, close a connection, forget a grant.</summary>
public sealed partial class ControlListener(
    IConnectionMultiplexer redis,
    ConnectionRegistry connections,
    RoomService rooms,
    MessageServiceClient messageService,
    ILogger<ControlListener> logger) : IHostedService
{
    private ChannelMessageQueue? _queue;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _queue = await redis.GetSubscriber().SubscribeAsync(RedisKeys.ControlChannel);
        _queue.OnMessage(message => Handle(message.Message));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_queue is not null)
        {
            await _queue.UnsubscribeAsync();
        }
    }

    private void Handle(RedisValue payload)
    {
        try
        {
            // Orders come in the envelope of the other channels; plain JSON without a traceparent line is tolerated.
            var (_, json) = Envelope.Decode((byte[])payload!);
            var order = FrameCodec.Decode<ControlOrder>(json.Span);
            switch (order)
            {
                case { Type: ControlOrder.Kick, Room: { } room, UserId: { } userId }:
                    // Not awaited: a kick waits for the frames its connections are working on, orders behind it must not.
                    _ = KickAsync(room, userId);
                    break;
                case { Type: ControlOrder.ForgetAccess, Room: { } room, UserId: { } userId }:
                    messageService.ForgetAccess(room, userId);
                    break;
                case { Type: ControlOrder.Close, ConnectionId: { } connectionId }:
                    connections.Find(connectionId)?.RequestClose(order.Code ?? CloseCodes.Normal, order.Reason ?? "");
                    break;
            }
        }
        catch (Exception e)
        {
            LogFailed(logger, e);
        }
    }

    private async Task KickAsync(string room, string userId)
    {
        try
        {
            await rooms.KickAsync(room, userId);
        }
        catch (Exception e)
        {
            LogFailed(logger, e);
        }
    }

    [LoggerMessage(LogLevel.Warning, "A control order could not be carried out")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
