using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RealtimeAspire.Tests.Reliability;

/// <summary>
/// One connection joins thousands of random rooms, valid and invalid names mixed: every join is answered, a
/// connection is in at most <c>MaxRoomsPerConnection</c> (128) rooms and the joins past it get
/// <c>too_many_rooms</c> without costing the server a subscription; the replicas' memory stays bounded.
/// </summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class JoinFloodTests(RealtimeAppFixture fixture, ITestOutputHelper output)
{
    private const int MaxRoomsPerConnection = 128;
    private const int Window = 200;
    private const long MemoryGrowthBoundKiB = 256 * 1024;
    private static readonly string[] Replicas = ["connection-service-1", "connection-service-2"];

    [Fact]
    public async Task Thousands_of_random_joins_are_all_answered_and_stop_at_the_room_limit()
    {
        var count = ReliabilityReport.Count(ci: 3_000, @long: 30_000);
        using var http = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(http, "joiner");
        var before = Replicas.Select(replica => ServiceProcess.Of(fixture.App, replica)).ToList();
        await using var client = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user);
        var random = new Random(3);
        var answers = new Dictionary<string, int>();
        var joinedRooms = new List<string>();
        var unexpected = new List<string>();

        foreach (var window in Enumerable.Range(0, count).Chunk(Window))
        {
            var sent = window.Select(i => i % 3 == 0 ? InvalidRoom(random) : $"flood-{Guid.NewGuid():N}").ToList();
            foreach (var room in sent)
            {
                await client.SendAsync(new { type = "join", room });
            }

            foreach (var room in sent)
            {
                var answer = await client.ReceiveAsync();
                var outcome = answer.Type() == "error" ? answer.Str("code") : answer.Type();
                answers[outcome] = answers.GetValueOrDefault(outcome) + 1;
                var expected = !room.StartsWith("flood-", StringComparison.Ordinal) ? "invalid_room"
                    : joinedRooms.Count < MaxRoomsPerConnection ? "joined" : "too_many_rooms";
                if (outcome == "joined")
                {
                    joinedRooms.Add(answer.Str("room"));
                }

                if (outcome != expected)
                {
                    unexpected.Add($"{room}: expected {expected}, got {answer}");
                }
            }
        }

        // At the limit, leaving one room makes room for another.
        await client.SendAsync(new { type = "leave", room = joinedRooms[0] });
        await client.WaitForAsync("left");
        var another = await client.JoinAsync($"flood-{Guid.NewGuid():N}");
        await client.SendAsync(new { type = "join", room = $"flood-{Guid.NewGuid():N}" });
        var overLimit = await client.ExpectAsync("error");
        var after = Replicas.Select(replica => ServiceProcess.Of(fixture.App, replica)).ToList();

        new ReliabilityReport("hostile-join-flood", output)
            .Set("joinsSent", count)
            .Set("maxRoomsPerConnection", MaxRoomsPerConnection)
            .Set("answersByOutcome", answers.OrderBy(pair => pair.Key).ToDictionary())
            .Set("unexpected", unexpected.Count)
            .Set("replicas", before.Zip(after, (b, a) => new { b.Resource, pidBefore = b.Pid, pidAfter = a.Pid, rssKiBBefore = b.RssKiB, rssKiBAfter = a.RssKiB }))
            .Write();

        Assert.True(unexpected.Count == 0, string.Join(Environment.NewLine, unexpected.Take(20)));
        Assert.Equal(MaxRoomsPerConnection, joinedRooms.Count);
        Assert.Equal(count, answers.Values.Sum());
        Assert.Equal(0, another.Seq());
        Assert.Equal("too_many_rooms", overLimit.Str("code"));
        await ServiceProcess.AssertUnharmedAsync(fixture.App, before, after, MemoryGrowthBoundKiB);
    }

    private static string InvalidRoom(Random random) => random.Next(4) switch
    {
        0 => "",
        1 => new string('r', 129 + random.Next(100)),
        2 => $"bad room {random.Next()}",
        _ => $"semi;colon'{random.Next()}--",
    };
}
