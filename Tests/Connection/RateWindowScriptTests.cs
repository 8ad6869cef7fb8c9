using RealtimeAspire.ConnectionService.Redis;
using RealtimeAspire.Tests.Infrastructure;
using StackExchange.Redis;

namespace RealtimeAspire.Tests.Connection;

/// <summary>
/// The rate window of the message script and of the separate rate script (a Redis Cluster's path), run against the
/// real Redis with the clock passed in: both count one window alike.
/// </summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class RateWindowScriptTests(RealtimeAppFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const int WindowMs = 60_000;
    private const int Limit = 3;

    [Fact]
    public async Task The_rate_script_and_the_message_script_share_one_sliding_window()
    {
        var connectionString = await fixture.App.GetConnectionStringAsync("redis").AsTask().WaitAsync(Timeout);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(connectionString!).WaitAsync(Timeout);
        var db = redis.GetDatabase();
        var user = $"rate-script-{Guid.NewGuid():N}";
        var room = RealtimeTestKit.NewRoom("rate-script");
        var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        Task<long> ConsumeAsync(long now) => ConsumeRateAsync(db, user, now);

        Assert.Equal(new long[] { 0, 0, 0 }, new[] { await ConsumeAsync(start), await ConsumeAsync(start + 1), await ConsumeAsync(start + 2) });
        Assert.Equal(WindowMs - 10, await ConsumeAsync(start + 10));

        var appended = (RedisResult[])(await db.ScriptEvaluateAsync(RedisScripts.AppendMessage,
            [RedisKeys.Seq(room), RedisKeys.Recent(room), RedisKeys.Handoff(room), RedisKeys.Unstored(room), RedisKeys.UserRate(user)],
            ["", "", 1000, RealtimeAspire.Contracts.RedisSchema.RoomChannel(room), "", "", 1000, start + 10, WindowMs, Limit, "append", "", "PUBLISH"]).WaitAsync(Timeout))!;
        Assert.Equal("limited", (string?)appended[0]);
        Assert.Equal(WindowMs - 10, (long)appended[1]);

        // The first two left the window: two more fit, the third waits for the one counted at start + 2.
        var later = start + WindowMs + 1;
        Assert.Equal(new long[] { 0, 0, 1 }, new[] { await ConsumeAsync(later), await ConsumeAsync(later), await ConsumeAsync(later) });
        Assert.Equal(Limit, await db.SortedSetLengthAsync(RedisKeys.UserRate(user)).WaitAsync(Timeout));
    }

    private static async Task<long> ConsumeRateAsync(IDatabase db, string user, long now) =>
        (long)await db.ScriptEvaluateAsync(RedisScripts.ConsumeRate,
            [RedisKeys.UserRate(user)], [now, WindowMs, Limit, $"{now}|{Guid.NewGuid():N}"]).WaitAsync(Timeout);
}
