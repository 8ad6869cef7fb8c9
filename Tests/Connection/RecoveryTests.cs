using RealtimeAspire.ConnectionService.Redis;
using RealtimeAspire.Tests.Infrastructure;
using StackExchange.Redis;

namespace RealtimeAspire.Tests.Connection;

[Collection(RealtimeAppCollection.Name)]
public class RecoveryTests(RealtimeAppFixture fixture)
{
    [Fact]
    public async Task Join_with_since_delivers_the_missed_messages_first_in_order_then_live_ones()
    {
        await using var chat = await RealtimeTestKit.StartTwoReplicaChatAsync(fixture, "since");
        var (_, _, a, b, room) = chat;
        await a.JoinAsync(room);
        for (var i = 1; i <= 30; i++)
        {
            await a.SendMessageAsync(room, $"m{i}");
        }

        var joined = await b.JoinAsync(room, since: 12);
        var replayed = new List<long>();
        while (replayed.Count < 18)
        {
            replayed.Add((await b.ExpectAsync("message")).Seq());
        }

        await a.SendMessageAsync(room, "live");
        var live = await b.ExpectAsync("message");

        Assert.Equal((30L, true), (joined.Seq(), joined.GetProperty("recovered").GetBoolean()));
        Assert.Equal(Enumerable.Range(13, 18).Select(i => (long)i), replayed);
        Assert.Equal((31L, "live"), (live.Seq(), live.Str("content")));
    }

    [Fact]
    public async Task Rejoining_with_since_during_ongoing_traffic_has_no_gap_and_no_duplicate()
    {
        await using var chat = await RealtimeTestKit.StartTwoReplicaChatAsync(fixture, "traffic");
        var (_, bob, a, b, room) = chat;
        await chat.JoinBothAsync();
        await a.SendMessageAsync(room, "before");
        var lastSeen = (await b.WaitForAsync("message")).Seq();
        await b.DisposeAsync();

        // Alice keeps talking while bob is away and while he comes back.
        using var stop = new CancellationTokenSource();
        var traffic = Task.Run(async () =>
        {
            var count = 0;
            while (!stop.IsCancellationRequested && count < 90)
            {
                await a.SendMessageAsync(room, $"t{count++}");
            }

            return count;
        });
        await Task.Delay(300);
        await using var back = await RealtimeTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, bob, _ => true);
        var joined = await back.JoinAsync(room, since: lastSeen);
        await Task.Delay(300);
        stop.Cancel();
        var sent = await traffic.WaitAsync(RealtimeTestKit.Timeout);
        var received = new List<long>();
        while (received.Count < sent)
        {
            received.Add((await back.ExpectAsync("message")).Seq());
        }

        Assert.True(joined.GetProperty("recovered").GetBoolean());
        Assert.Equal(Enumerable.Range((int)lastSeen + 1, sent).Select(i => (long)i), received);
        Assert.DoesNotContain(await back.DrainAsync(), f => f.Type() == "message");
    }

    [Fact]
    public async Task A_gap_that_cannot_be_filled_answers_recovered_false_and_replays_nothing()
    {
        using var http = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(http);
        await using var a = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, alice);
        var room = RealtimeTestKit.NewRoom("gap");
        await a.JoinAsync(room);
        await a.SendMessageAsync(room, "one");
        // Seqs 2..6 taken but never stored anywhere (as if lost with a crashed Redis): no source can fill them.
        var connectionString = await fixture.App.GetConnectionStringAsync("redis").AsTask().WaitAsync(RealtimeTestKit.Timeout);
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(connectionString!).WaitAsync(RealtimeTestKit.Timeout))
        {
            await redis.GetDatabase().StringIncrementAsync(RedisKeys.Seq(room), 5);
        }

        await a.SendMessageAsync(room, "seven");
        await using var b = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, alice);

        var joined = await b.JoinAsync(room, since: 0);
        await a.SendMessageAsync(room, "eight");
        var next = await b.ExpectAsync("message");

        Assert.Equal((7L, false), (joined.Seq(), joined.GetProperty("recovered").GetBoolean()));
        Assert.Equal((8L, "eight"), (next.Seq(), next.Str("content")));
    }
}
