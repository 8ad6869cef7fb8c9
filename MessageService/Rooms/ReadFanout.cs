using Microsoft.Extensions.Options;
using RealtimeAspire.Contracts.Frames;
using StackExchange.Redis;

namespace RealtimeAspire.MessageService.Rooms;

/// <summary>Settings of read positions, section <c>MessageService:Reads</c>.</summary>
public sealed class ReadOptions
{
    public const string SectionName = "MessageService:Reads";

    /// <summary>At most one receipt per user and room in this window; the last position of a window follows at its end.</summary>
    public int ReceiptIntervalMs { get; set; } = 1_000;
}

/// <summary>
/// Sends a moved read position: <c>read</c> at once to every live connection of the user (its user channel), and
/// <c>receipt</c> to the room's members (its room channel), at most one per window per user and room across every
/// MessageService process, with the window's last position sent when the window ends (as Slack shows where one stopped).
/// </summary>
public sealed partial class ReadFanout(IConnectionMultiplexer redis, IOptions<ReadOptions> options, TimeProvider time, ILogger<ReadFanout> logger)
{
    // Opens the window and sends now, or keeps the highest held-back seq; answers {sendNow, pttl, firstHeldBack}.
    private const string ThrottleScript = """
        if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
          redis.call('DEL', KEYS[2])
          return {1, 0, 0}
        end
        local held = tonumber(redis.call('GET', KEYS[2]) or '-1')
        if tonumber(ARGV[1]) > held then redis.call('SET', KEYS[2], ARGV[1], 'PX', tonumber(ARGV[2]) * 3) end
        return {0, redis.call('PTTL', KEYS[1]), held < 0 and 1 or 0}
        """;

    // At a window's end: the held-back seq opens the next window and is sent, or the window is still open (pttl).
    private const string FlushScript = """
        local held = redis.call('GET', KEYS[2])
        if not held then return {0, 0} end
        if redis.call('SET', KEYS[1], held, 'NX', 'PX', ARGV[1]) then
          redis.call('DEL', KEYS[2])
          return {1, tonumber(held)}
        end
        return {2, redis.call('PTTL', KEYS[1])}
        """;

    private bool? _isCluster;

    public async Task PublishAsync(string room, string userId, string username, long seq)
    {
        var subscriber = redis.GetSubscriber();
        await subscriber.PublishAsync(Channel(RedisSchema.UserChannel(userId)), Envelope.Encode(null, FrameCodec.Encode(new ReadFrame(room, seq))));

        var window = options.Value.ReceiptIntervalMs;
        var answer = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(ThrottleScript,
            [RedisSchema.ReceiptWindow(room, userId), RedisSchema.ReceiptHeldBack(room, userId)], [seq, window]))!;
        if ((int)answer[0] == 1)
        {
            await PublishReceiptAsync(room, userId, username, seq);
        }
        else if ((int)answer[2] == 1)
        {
            _ = FlushLaterAsync(room, userId, username, Math.Max(1, (long)answer[1]));
        }
    }

    private async Task FlushLaterAsync(string room, string userId, string username, long delayMs)
    {
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(delayMs), time);
                var answer = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(FlushScript,
                    [RedisSchema.ReceiptWindow(room, userId), RedisSchema.ReceiptHeldBack(room, userId)], [options.Value.ReceiptIntervalMs]))!;
                switch ((int)answer[0])
                {
                    case 1:
                        await PublishReceiptAsync(room, userId, username, (long)answer[1]);
                        return;
                    case 2:
                        delayMs = Math.Max(1, (long)answer[1]);
                        break;
                    default:
                        return;
                }
            }
        }
        catch (Exception e)
        {
            // The position itself is stored; only this receipt is lost, and GET …/reads still shows it.
            LogReceiptFailed(logger, e, room);
        }
    }

    private Task PublishReceiptAsync(string room, string userId, string username, long seq) =>
        redis.GetSubscriber().PublishAsync(Channel(RedisSchema.RoomChannel(room)),
            Envelope.Encode(null, FrameCodec.Encode(new ReceiptFrame(room, userId, username, seq))));

    // On a cluster a room's channel is sharded in the slot of its keys, as ConnectionService subscribes to it.
    private RedisChannel Channel(string name) =>
        (_isCluster ??= redis.GetServers().Any(server => server.ServerType == ServerType.Cluster))
            ? RedisChannel.Sharded(name)
            : RedisChannel.Literal(name);

    [LoggerMessage(LogLevel.Warning, "The held-back receipt of room {Room} could not be sent")]
    private static partial void LogReceiptFailed(ILogger logger, Exception exception, string room);
}
