using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using RealtimeAspire.MessageService.Data;
using RealtimeAspire.MessageService.Rooms;
using RealtimeAspire.Tests.Infrastructure;
using Xunit.Abstractions;
using static RealtimeAspire.Tests.Messages.MyRoomsTestKit;

namespace RealtimeAspire.Tests.Messages;

/// <summary>
/// The room list of a user with 500 rooms (docs/messages.md, "My rooms and read positions"): one statement, with the
/// right unread counts and order; the timings and the plan go to the test output, for the docs.
/// </summary>
[Collection(ServerApiAppCollection.Name)]
public sealed partial class MyRoomsScaleTests(ServerApiAppFixture fixture, ITestOutputHelper output)
{
    private const int Rooms = 500;

    [Fact]
    public async Task The_list_of_500_rooms_is_one_statement_with_the_right_counts_in_activity_order()
    {
        var (user, client) = await RegisterAsync(fixture);
        using var _ = client;
        await using var kit = await MessagesTestKit.CreateAsync(fixture);
        var prefix = $"scale-{Guid.NewGuid():N}-";
        await SeedAsync(kit.MessagesDbConnectionString, prefix, user.UserId, user.Username);

        var timings = new List<double>();
        List<System.Text.Json.JsonElement> rooms = [];
        for (var i = 0; i < 5; i++)
        {
            var started = Stopwatch.GetTimestamp();
            rooms = await RoomsAsync(client);
            timings.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        await using var db = new MessagesDbContext(new DbContextOptionsBuilder<MessagesDbContext>().UseNpgsql(kit.MessagesDbConnectionString).Options);
        var statement = MyRooms.Query(db, user.UserId).ToQueryString();
        output.WriteLine(statement);
        var plan = await ExplainAsync(kit.MessagesDbConnectionString, statement);
        output.WriteLine($"GET /api/rooms with {Rooms} rooms through the Gateway, ms: {string.Join(", ", timings.Select(t => t.ToString("F1")))}");
        output.WriteLine(plan);

        // Each room's latest message is a step of the messages-only (Room, Seq) index, never a pass over every stored row.
        Assert.DoesNotContain("Seq Scan on \"Messages\"", plan);
        Assert.Contains("Index Scan Backward using \"IX_Messages_Room_Seq_Messages\"", plan);
        Assert.Equal(Enumerable.Range(1, Rooms).Reverse().Select(i => prefix + i), rooms.Select(r => r.Text("room")));
        Assert.All(rooms, room =>
        {
            var even = int.Parse(room.Text("room")![prefix.Length..]) % 2 == 0;
            Assert.Equal((10L, even ? 4L : 0L, even ? 3L : 7L), (room.Long("lastSeq"), room.Long("readSeq"), room.Long("unread")));
            Assert.Equal("m10", room.GetProperty("lastMessage").Text("content"));
        });
    }

    /// <summary>Rooms 1..500 with 10 messages each (1–7 by another user, 8–10 by the user), read to 4 in the even ones; room i's latest message is the i-th most recent.</summary>
    private static async Task SeedAsync(string connectionString, string prefix, string userId, string username)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync().WaitAsync(MyRoomsTestKit.Timeout);
        await using var seed = new NpgsqlCommand("""
            INSERT INTO "Rooms" ("Id", "Visibility", "OwnerId", "CreatedAt")
                SELECT @p || i, 'Public', NULL, now() FROM generate_series(1, 500) i;
            INSERT INTO "UserRooms" ("UserId", "Room", "AddedAt")
                SELECT @u, @p || i, now() - interval '1 day' FROM generate_series(1, 500) i;
            INSERT INTO "Messages" ("Room", "Seq", "MessageId", "UserId", "Username", "Content", "Timestamp")
                SELECT @p || i, s, gen_random_uuid(), CASE WHEN s > 7 THEN @u ELSE 'someone-else' END,
                       CASE WHEN s > 7 THEN @n ELSE 'someone' END, 'm' || s,
                       now() - make_interval(secs => (500 - i) * 10 + (10 - s))
                FROM generate_series(1, 500) i, generate_series(1, 10) s;
            INSERT INTO "RoomReads" ("Room", "UserId", "Username", "Seq", "ReadAt")
                SELECT @p || i, @u, @n, 4, now() FROM generate_series(1, 500) i WHERE i % 2 = 0;
            ANALYZE "UserRooms"; ANALYZE "RoomReads"; ANALYZE "Messages";
            """, connection);
        seed.Parameters.AddWithValue("p", prefix);
        seed.Parameters.AddWithValue("u", userId);
        seed.Parameters.AddWithValue("n", username);
        await seed.ExecuteNonQueryAsync().WaitAsync(MyRoomsTestKit.Timeout);
    }

    /// <summary><c>EXPLAIN (ANALYZE, BUFFERS)</c> of EF Core's statement, with the parameters its query string declares.</summary>
    private static async Task<string> ExplainAsync(string connectionString, string queryString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync().WaitAsync(MyRoomsTestKit.Timeout);
        var lines = queryString.Split('\n');
        await using var explain = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS) " + string.Join('\n', lines.Where(l => !l.StartsWith("--"))), connection);
        foreach (var match in lines.Select(l => Declaration().Match(l)).Where(m => m.Success))
        {
            explain.Parameters.AddWithValue(match.Groups[1].Value, match.Groups[2].Value);
        }

        await using var reader = await explain.ExecuteReaderAsync().WaitAsync(MyRoomsTestKit.Timeout);
        var plan = new List<string>();
        while (await reader.ReadAsync())
        {
            plan.Add(reader.GetString(0));
        }

        return string.Join('\n', plan);
    }

    [GeneratedRegex("^-- @?(\\w+)='(.*?)'")]
    private static partial Regex Declaration();
}
