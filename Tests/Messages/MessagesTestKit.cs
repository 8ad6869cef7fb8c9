using Microsoft.EntityFrameworkCore;
using RealtimeAspire.Contracts;
using RealtimeAspire.Contracts.Frames;
using RealtimeAspire.MessageService;
using RealtimeAspire.MessageService.Data;
using RealtimeAspire.MessageService.Persistence;
using RealtimeAspire.Tests.Infrastructure;
using StackExchange.Redis;

namespace RealtimeAspire.Tests.Messages;

/// <summary>
/// Direct access to the running system's Redis and messages database, to play ConnectionService's side of the
/// hand-off and to see exactly what MessageService stored.
/// </summary>
public sealed class MessagesTestKit : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly DbContextOptions<MessagesDbContext> _dbOptions;

    private MessagesTestKit(ConnectionMultiplexer redis, string redisConnectionString, string messagesDbConnectionString)
    {
        Redis = redis;
        RedisConnectionString = redisConnectionString;
        MessagesDbConnectionString = messagesDbConnectionString;
        _dbOptions = new DbContextOptionsBuilder<MessagesDbContext>().UseNpgsql(messagesDbConnectionString).Options;
    }

    public ConnectionMultiplexer Redis { get; }

    public string RedisConnectionString { get; }

    public string MessagesDbConnectionString { get; }

    public IDatabase Db => Redis.GetDatabase();

    public static async Task<MessagesTestKit> CreateAsync(RealtimeAppFixture fixture)
    {
        var redisConnectionString = await fixture.App.GetConnectionStringAsync("redis").AsTask().WaitAsync(Timeout)
            ?? throw new InvalidOperationException("redis has no connection string");
        var messagesDbConnectionString = await fixture.App.GetConnectionStringAsync("messagesdb").AsTask().WaitAsync(Timeout)
            ?? throw new InvalidOperationException("messagesdb has no connection string");
        var redis = await ConnectionMultiplexer.ConnectAsync(redisConnectionString).WaitAsync(Timeout);
        return new MessagesTestKit(redis, redisConnectionString, messagesDbConnectionString);
    }

    public static string NewRoom(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>The <c>message</c> frame JSON ConnectionService puts into field <c>m</c>.</summary>
    public static string Frame(string room, long seq, string? content = null) => FrameCodec.EncodeToString(
        new MessageFrame(room, Guid.CreateVersion7().ToString(), seq, "user-1", "alice", content ?? $"message {seq}", DateTimeOffset.UtcNow));

    /// <summary>Writes one hand-off entry, as ConnectionService does after assigning <paramref name="seq"/>.</summary>
    public Task<RedisValue> HandOffAsync(string room, long seq, string? content = null) =>
        HandOffAsync(Db, room, Frame(room, seq, content));

    public static Task<RedisValue> HandOffAsync(IDatabaseAsync db, string room, string frame) =>
        db.StreamAddAsync(RedisSchema.Handoff(RedisSchema.Partition(room)), [new(RedisSchema.FrameField, frame), new(RedisSchema.TraceParentField, "")]);

    public async Task<List<StoredMessage>> StoredAsync(string room)
    {
        await using var db = new MessagesDbContext(_dbOptions);
        return await db.Messages.AsNoTracking().Where(m => m.Room == room).OrderBy(m => m.Seq).ToListAsync().WaitAsync(Timeout);
    }

    public async Task<int> StoredCountAsync(IReadOnlyCollection<string> rooms)
    {
        await using var db = new MessagesDbContext(_dbOptions);
        return await db.Messages.CountAsync(m => rooms.Contains(m.Room)).WaitAsync(Timeout);
    }

    /// <summary>Waits until the rooms hold <paramref name="expected"/> stored messages (or the timeout passes).</summary>
    public async Task<int> WaitForStoredAsync(IReadOnlyCollection<string> rooms, int expected, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        var count = await StoredCountAsync(rooms);
        while (count < expected && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(200);
            count = await StoredCountAsync(rooms);
        }

        return count;
    }

    /// <summary>True while the entry is still in its hand-off stream (not yet stored and removed).</summary>
    public async Task<bool> IsInHandoffAsync(string room, RedisValue id)
    {
        var key = RedisSchema.Handoff(RedisSchema.Partition(room));
        return (await Db.StreamRangeAsync(key, id, id).WaitAsync(Timeout)).Length > 0;
    }

    public Task<(long Entries, DateTimeOffset? Oldest)> BacklogAsync() => HandoffStreams.MeasureBacklogAsync(Db).WaitAsync(Timeout);

    public async ValueTask DisposeAsync() => await Redis.DisposeAsync();
}
