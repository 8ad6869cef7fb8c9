using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RealtimeAspire.Contracts;
using RealtimeAspire.Contracts.Frames;
using RealtimeAspire.MessageService;
using RealtimeAspire.MessageService.Rooms;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Messages;

/// <summary>History pages and presence through the Gateway, over messages stored from the hand-off.</summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class HistoryApiTests(RealtimeAppFixture fixture)
{
    private static readonly TimeSpan Timeout = MessagesTestKit.Timeout;

    [Fact]
    public async Task History_pages_go_after_or_before_a_seq_ascending_within_the_limit()
    {
        using var reader = await TestUsers.RegisterAsync(fixture);
        await using var kit = await MessagesTestKit.CreateAsync(fixture);
        var room = MessagesTestKit.NewRoom("history");
        await Task.WhenAll(Enumerable.Range(1, 250).Select(seq => kit.HandOffAsync(room, seq))).WaitAsync(Timeout);
        Assert.Equal(250, await kit.WaitForStoredAsync([room], 250, TimeSpan.FromSeconds(60)));

        async Task<long[]> PageAsync(string query)
        {
            var page = await reader.Client.GetFromJsonAsync<MessagesPage>($"/api/rooms/{room}/messages{query}").WaitAsync(Timeout);
            return page!.Messages.Select(m => m.Seq).ToArray();
        }

        Assert.Equal(Seqs(1, 50), await PageAsync("?after=0"));
        Assert.Equal(Seqs(101, 250), await PageAsync("?after=100&limit=200"));
        Assert.Equal(Seqs(241, 250), await PageAsync("?after=240&limit=200"));
        Assert.Empty(await PageAsync("?after=250"));
        Assert.Equal(Seqs(81, 100), await PageAsync("?before=101&limit=20"));
        Assert.Equal(Seqs(1, 4), await PageAsync("?before=5"));
        Assert.Equal(Seqs(11, 19), await PageAsync("?after=10&before=20"));
        Assert.Equal(Seqs(201, 250), await PageAsync(""));
        Assert.Equal(Seqs(250, 250), await PageAsync("?limit=1"));
    }

    [Fact]
    public async Task History_items_are_the_message_frames_clients_received()
    {
        using var reader = await TestUsers.RegisterAsync(fixture);
        await using var kit = await MessagesTestKit.CreateAsync(fixture);
        var room = MessagesTestKit.NewRoom("frames");
        var frame = MessagesTestKit.Frame(room, 1, "héllo @bob \"quoted\"");
        await MessagesTestKit.HandOffAsync(kit.Db, room, frame).WaitAsync(Timeout);
        await kit.WaitForStoredAsync([room], 1, TimeSpan.FromSeconds(60));

        var body = await reader.Client.GetStringAsync($"/api/rooms/{room}/messages").WaitAsync(Timeout);

        var item = Assert.Single(JsonDocument.Parse(body).RootElement.GetProperty("messages").EnumerateArray());
        // The same fields and values; the timestamp also as the same text.
        Assert.Equal(FrameCodec.Decode<MessageFrame>(Encoding.UTF8.GetBytes(frame)), FrameCodec.Decode<MessageFrame>(Encoding.UTF8.GetBytes(item.GetRawText())));
        Assert.Equal(JsonDocument.Parse(frame).RootElement.GetProperty("timestamp").GetString(), item.GetProperty("timestamp").GetString());
        Assert.Equal("message", item.GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("?limit=0")]
    [InlineData("?limit=201")]
    [InlineData("?after=-1")]
    [InlineData("?before=-5")]
    public async Task Out_of_range_paging_is_a_bad_request(string query)
    {
        using var reader = await TestUsers.RegisterAsync(fixture);

        using var response = await reader.Client.GetAsync($"/api/rooms/{MessagesTestKit.NewRoom("paging")}/messages{query}").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Presence_lists_each_present_user_once_and_skips_expired_entries()
    {
        using var reader = await TestUsers.RegisterAsync(fixture);
        await using var kit = await MessagesTestKit.CreateAsync(fixture);
        var room = MessagesTestKit.NewRoom("presence");
        var live = DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds();
        var expired = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds();

        // As ConnectionService writes it: one value per user (and replica), refreshed while present.
        await kit.Db.HashSetAsync(RedisSchema.Presence(room),
        [
            new("u-1:connection-service-1", Presence("u-1", "alice", live)),
            new("u-1:connection-service-2", Presence("u-1", "alice", live)),
            new("u-2:connection-service-1", Presence("u-2", "bob", live)),
            new("u-3:connection-service-2", Presence("u-3", "carol", expired)),
        ]).WaitAsync(Timeout);

        var presence = await reader.Client.GetFromJsonAsync<PresenceResponse>($"/api/rooms/{room}/presence").WaitAsync(Timeout);

        Assert.Equal(room, presence!.Room);
        Assert.Equal([new RoomMemberResponse("u-1", "alice"), new RoomMemberResponse("u-2", "bob")], presence.Members);
    }

    private static string Presence(string userId, string username, long expiresAt) =>
        JsonSerializer.Serialize(new { userId, username, expiresAt });

    private static long[] Seqs(int first, int last) => Enumerable.Range(first, last - first + 1).Select(seq => (long)seq).ToArray();
}
