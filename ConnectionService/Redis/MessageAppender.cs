using System.Text;
using System.Text.Json;
using RealtimeAspire.Contracts;
using RealtimeAspire.Contracts.Frames;
using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.ConnectionService.Upstream;
using StackExchange.Redis;

namespace RealtimeAspire.ConnectionService.Redis;

/// <summary>A message on its way into the hand-off: <see cref="Content"/>, <see cref="Data"/> or both.</summary>
public sealed record OutgoingMessage(string Room, string UserId, string Username, string? Content, JsonElement? Data, string? ClientId, string TraceParent);

/// <summary>
/// A room event about a message (edit, delete, reaction), its frame built with seq 0; <paramref name="Deletes"/> is the
/// deleted message's seq when the event is its delete.
/// </summary>
public sealed record OutgoingEvent(IMessageEventFrame Frame, string? ClientId, string TraceParent, long? Deletes = null);

/// <param name="Ack">The <c>ack</c> frame for the sender (empty when rate limited).</param>
/// <param name="Frame">The <c>message</c> frame as stored and published; null for a resend of an acked client id.</param>
/// <param name="RetryAfterMs">More than 0 when the user is over the rate limit: nothing was stored.</param>
/// <param name="Unreplicated">
/// The message was handed off, but fewer Redis replicas than required confirmed it in time: no ack yet, the sender
/// resends with the same id (<see cref="AckReplication"/>).
/// </param>
public sealed record AppendedMessage(byte[] Ack, byte[]? Frame, long RetryAfterMs = 0, bool Unreplicated = false)
{
    public static AppendedMessage RateLimited(long retryAfterMs) => new([], null, retryAfterMs);

    public static AppendedMessage NotReplicated(byte[]? frame) => new([], frame, Unreplicated: true);
}

/// <summary>
/// Appends a message to Redis in one atomic step (seq, recent stream, hand-off stream, unstored set; see
/// <see cref="RedisSchema"/>), and reads back what it wrote: a room's latest seq and its recent messages.
/// </summary>
public sealed class MessageAppender(
    IConnectionMultiplexer redis, RedisTopology topology, UserLimits limits, MessageServiceClient messageService,
    AckReplication replication, RealtimeOptions options, TimeProvider time)
{
    private IDatabase Database => redis.GetDatabase();

    /// <summary>A cluster keeps the user's rate window and the room in different slots, which one script cannot touch.</summary>
    private bool IsCluster => topology.IsCluster;

    /// <summary>Counts the message in the user's rate window (<paramref name="charge"/>) and, if it may go, hands it over.</summary>
    public Task<AppendedMessage> AppendAsync(OutgoingMessage message, RateCharge charge, CancellationToken cancellationToken) =>
        ReplicatedAsync(message.Room, database => HandOffMessageAsync(message, charge, database, cancellationToken));

    /// <summary>
    /// Hands an event over exactly as <see cref="AppendAsync"/> does a message (rate window, resend, seq, recent
    /// stream, hand-off, publish); its ack names the message the event is about, with the event's own seq.
    /// </summary>
    public Task<AppendedMessage> AppendEventAsync(OutgoingEvent roomEvent, string userId, RateCharge charge, CancellationToken cancellationToken) =>
        ReplicatedAsync(roomEvent.Frame.Room, database => HandOffEventAsync(roomEvent, userId, charge, database, cancellationToken));

    /// <summary>On a cluster with <see cref="AckReplication"/> on, the hand-off is answered only once the room master's replicas have it.</summary>
    private async Task<AppendedMessage> ReplicatedAsync(string room, Func<IDatabase, Task<AppendedMessage>> handOff)
    {
        if (!replication.Enabled)
        {
            return await handOff(Database);
        }

        // A resend ("dup") waits too: its first attempt may have been answered unavailable before the replicas had it.
        var appended = await handOff(await replication.DatabaseAsync());
        return appended.RetryAfterMs > 0 || await replication.WaitAsync(RedisKeys.Seq(room))
            ? appended
            : AppendedMessage.NotReplicated(appended.Frame);
    }

    private async Task<AppendedMessage> HandOffMessageAsync(OutgoingMessage message, RateCharge charge, IDatabase database, CancellationToken cancellationToken)
    {
        var dedup = message.ClientId is null ? (RedisKey?)null : RedisKeys.Dedup(message.Room, message.UserId, message.ClientId);
        var (script, answered) = await BeforeHandOffAsync(dedup, charge, database);
        if (answered is not null)
        {
            return answered;
        }

        var messageId = Guid.CreateVersion7().ToString();
        var frame = FrameCodec.SpliceAroundSeq(
            new MessageFrame(message.Room, messageId, 0, message.UserId, message.Username, message.Content, time.GetUtcNow(), message.Data));
        var ack = FrameCodec.SpliceAroundSeq(new AckFrame(message.ClientId, message.Room, messageId, 0));
        return await HandOffAsync(script, message.Room, frame, ack, dedup, message.TraceParent, charge, null, database, cancellationToken);
    }

    private async Task<AppendedMessage> HandOffEventAsync(
        OutgoingEvent roomEvent, string userId, RateCharge charge, IDatabase database, CancellationToken cancellationToken)
    {
        var room = roomEvent.Frame.Room;
        var dedup = roomEvent.ClientId is null ? (RedisKey?)null : RedisKeys.Dedup(room, userId, roomEvent.ClientId);
        var (script, answered) = await BeforeHandOffAsync(dedup, charge, database);
        if (answered is not null)
        {
            return answered;
        }

        var frame = roomEvent.Frame switch
        {
            MessageEditedFrame edited => FrameCodec.SpliceAroundSeq(edited),
            MessageDeletedFrame deleted => FrameCodec.SpliceAroundSeq(deleted),
            ReactionFrame reaction => FrameCodec.SpliceAroundSeq(reaction),
            _ => throw new ArgumentException("Not a message event frame.", nameof(roomEvent)),
        };
        var ack = FrameCodec.SpliceAroundSeq(new AckFrame(roomEvent.ClientId, room, roomEvent.Frame.MessageId, 0));
        return await HandOffAsync(script, room, frame, ack, dedup, roomEvent.TraceParent, charge, roomEvent.Deletes is { } deletes
            ? (FrameCodec.EncodeToString(roomEvent.Frame.MessageId), deletes) : null, database, cancellationToken);
    }

    /// <summary>
    /// The script to run; on a cluster, whose rate window is in another slot, first the resend check and the rate
    /// limit, as the single script does them (a resend is answered before the limit): then an answer may be ready.
    /// </summary>
    private async Task<(string Script, AppendedMessage? Answered)> BeforeHandOffAsync(RedisKey? dedup, RateCharge charge, IDatabase database)
    {
        if (!IsCluster)
        {
            return (RedisScripts.AppendMessage, null);
        }

        if (dedup is { } resent && await database.StringGetAsync(resent) is { IsNull: false } previous)
        {
            return ("", new AppendedMessage((byte[])previous!, null));
        }

        var retryAfterMs = await limits.TryConsumeMessageAsync(charge);
        return retryAfterMs > 0 ? ("", AppendedMessage.RateLimited(retryAfterMs)) : (RedisScripts.AppendMessageInRoomSlot, null);
    }

    private async Task<AppendedMessage> HandOffAsync(
        string script, string room, SeqSplice frame, SeqSplice ack, RedisKey? dedup, string traceParent, RateCharge charge,
        (string MessageIdJson, long Seq)? scrub, IDatabase database, CancellationToken cancellationToken)
    {
        List<RedisKey> keys =
            [RedisKeys.Seq(room), RedisKeys.Recent(room), RedisKeys.Handoff(room), RedisKeys.Unstored(room)];
        if (!IsCluster)
        {
            keys.Add(charge.Key);
        }

        if (dedup is { } dedupKey)
        {
            keys.Add(dedupKey);
        }

        RedisValue[] args =
        [
            frame.Prefix, frame.Suffix, options.RecentMessages, topology.RoomChannel(room).ToString(), traceParent,
            ack.Prefix, options.IdempotencyWindowMs,
            charge.Now, charge.WindowMs, charge.Limit, charge.Member, ack.Suffix, topology.PublishCommand,
            scrub?.MessageIdJson ?? "", scrub?.Seq ?? 0,
        ];

        // The second attempt follows a re-seed; a counter that vanishes twice in a row is a broken Redis.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var result = (RedisResult[])(await database.ScriptEvaluateAsync(script, [.. keys], args))!;
            switch ((string?)result[0])
            {
                case "ok":
                    return new AppendedMessage((byte[])result[2]!, Encoding.UTF8.GetBytes(frame.Complete((long)result[1])));
                case "dup":
                    return new AppendedMessage((byte[])result[1]!, null);
                case "limited":
                    return AppendedMessage.RateLimited((long)result[1]);
                case "noseq":
                    await SeedAsync(room, cancellationToken);
                    break;
            }
        }

        throw new InvalidOperationException($"The seq of room {room} could not be seeded.");
    }

    /// <summary>The ack of an earlier send of this client id, while its resend record lives; null when there is none.</summary>
    public async Task<byte[]?> FindAckAsync(string room, string userId, string? clientId)
    {
        if (clientId is null)
        {
            return null;
        }

        var previous = await Database.StringGetAsync(RedisKeys.Dedup(room, userId, clientId));
        return previous.IsNull ? null : (byte[])previous!;
    }

    /// <summary>The room's latest seq; a missing counter is re-seeded from MessageService first.</summary>
    public async Task<long> GetLatestSeqAsync(string room, CancellationToken cancellationToken)
    {
        var current = await Database.StringGetAsync(RedisKeys.Seq(room));
        return current.TryParse(out long seq) ? seq : await SeedAsync(room, cancellationToken);
    }

    private async Task<long> SeedAsync(string room, CancellationToken cancellationToken)
    {
        var stored = await messageService.GetLastSeqAsync(room, cancellationToken);
        var seeded = await Database.ScriptEvaluateAsync(RedisScripts.SeedSeq,
            [RedisKeys.Seq(room), RedisKeys.Recent(room)], [stored]);
        return (long)seeded;
    }

    /// <summary>The room's recent messages with seq in [from, to], ascending, from its capped stream.</summary>
    public async Task<IReadOnlyList<(long Seq, byte[] Frame)>> ReadRecentAsync(string room, long from, long to)
    {
        var entries = await Database.StreamRangeAsync(RedisKeys.Recent(room), $"{from}-0", $"{to}-1");
        var messages = new List<(long, byte[])>(entries.Length);
        foreach (var entry in entries)
        {
            var id = ((string)entry.Id!).AsSpan();
            var frame = entry[RedisSchema.FrameField];
            if (long.TryParse(id[..id.IndexOf('-')], out var seq) && !frame.IsNull)
            {
                messages.Add((seq, (byte[])frame!));
            }
        }

        return messages;
    }
}
