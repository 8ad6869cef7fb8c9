using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using RealtimeAspire.Contracts;
using RealtimeAspire.MessageService;
using RealtimeAspire.MessageService.Rooms;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Messages;

/// <summary>Messages sent over /ws and acknowledged by ConnectionService end up stored once, with their ack's seq and id.</summary>
[Collection(DisruptiveAppCollection.Name)]
public class EndToEndPersistenceTests(RealtimeAppFixture fixture)
{
    private static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(90);

    private sealed record Ack(long Seq, string MessageId, string? Content);

    [Fact]
    public async Task Every_acked_message_is_stored_once_as_acked_and_resends_are_not_stored_again()
    {
        using var user = await TestUsers.RegisterAsync(fixture);
        await using var kit = await MessagesTestKit.CreateAsync(fixture);
        await using var client = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user.AsTestUser());
        var room = MessagesTestKit.NewRoom("acked");
        await client.JoinAsync(room);

        var acks = new List<Ack>();
        for (var i = 0; i < 30; i++)
        {
            acks.Add(ToAck(await client.SendMessageAsync(room, $"acked {i}", id: $"id-{i}"), $"acked {i}"));
        }

        // A client that lost its acks sends again with the same ids: same acks, nothing new stored.
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(acks[i], ToAck(await client.SendMessageAsync(room, $"acked {i}", id: $"id-{i}"), $"acked {i}"));
        }

        Assert.Equal(30, await kit.WaitForStoredAsync([room], 30, StoreTimeout));
        var stored = await kit.StoredAsync(room);
        var history = await user.Client.GetFromJsonAsync<MessagesPage>($"/api/rooms/{room}/messages?after=0&limit=200").WaitAsync(MessagesTestKit.Timeout);

        Assert.Equal(acks, stored.Select(m => new Ack(m.Seq, m.MessageId.ToString(), m.Content)));
        Assert.Equal(acks, history!.Messages.Select(m => new Ack(m.Seq, m.MessageId, m.Content)));
        Assert.All(history.Messages, m => Assert.Equal((user.UserId, user.Username), (m.UserId, m.Username)));
    }

    [Fact]
    public async Task Every_acked_message_is_stored_exactly_once_when_message_service_stops_under_traffic_and_restarts()
    {
        await using var kit = await MessagesTestKit.CreateAsync(fixture);
        var room = MessagesTestKit.NewRoom("restart-ws");
        var users = new List<ApiUser>();
        var clients = new List<RealtimeTestClient>();
        try
        {
            // Several senders: each user may send 100 messages a minute.
            for (var i = 0; i < 4; i++)
            {
                var user = await TestUsers.RegisterAsync(fixture);
                users.Add(user);
                var client = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user.AsTestUser());
                clients.Add(client);
                await client.JoinAsync(room);
            }

            var acks = new ConcurrentBag<Ack>();
            using var traffic = new CancellationTokenSource();
            var senders = clients.Select((client, index) => SendUntilStoppedAsync(client, room, $"sender {index}", acks, traffic.Token)).ToArray();

            long backlogWhileDown;
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(2));
                await MessageServiceLifecycle.StopAsync(fixture);
                var ackedBeforeDown = acks.Count;
                await Task.Delay(TimeSpan.FromSeconds(3));
                Assert.True(acks.Count > ackedBeforeDown, "nothing was acked while MessageService was down");
                (backlogWhileDown, _) = await kit.BacklogAsync();
            }
            finally
            {
                await MessageServiceLifecycle.StartAsync(fixture);
            }

            await Task.Delay(TimeSpan.FromSeconds(2));
            await traffic.CancelAsync();
            await Task.WhenAll(senders).WaitAsync(MessagesTestKit.Timeout);

            var acked = acks.OrderBy(ack => ack.Seq).ToList();
            var count = await kit.WaitForStoredAsync([room], acked.Count, StoreTimeout);
            var stored = await kit.StoredAsync(room);

            Assert.True(backlogWhileDown > 0, "nothing waited in Redis while MessageService was down");
            Assert.Equal(acked.Count, count);
            Assert.Equal(acked, stored.Select(m => new Ack(m.Seq, m.MessageId.ToString(), m.Content)));
            Assert.Equal(Enumerable.Range(1, acked.Count).Select(seq => (long)seq), stored.Select(m => m.Seq));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }

            users.ForEach(user => user.Dispose());
        }
    }

    [Fact]
    public async Task Seq_is_never_reused_after_redis_lost_the_room_and_its_handoff_stream()
    {
        using var user = await TestUsers.RegisterAsync(fixture);
        await using var kit = await MessagesTestKit.CreateAsync(fixture);
        await using var client = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user.AsTestUser());
        var room = MessagesTestKit.NewRoom("seq-continuity");
        await client.JoinAsync(room);
        var acks = new List<Ack>();
        for (var i = 0; i < 5; i++)
        {
            acks.Add(ToAck(await client.SendMessageAsync(room, $"before {i}"), $"before {i}"));
        }

        Assert.Equal(5, await kit.WaitForStoredAsync([room], 5, StoreTimeout));

        // Redis loses the room's counter, its recent messages and the partition's hand-off stream with its group.
        var partition = RedisSchema.Partition(room);
        await kit.Db.KeyDeleteAsync([RedisSchema.Seq(room), RedisSchema.Recent(room), RedisSchema.Handoff(partition)]).WaitAsync(MessagesTestKit.Timeout);

        for (var i = 0; i < 3; i++)
        {
            acks.Add(ToAck(await client.SendMessageAsync(room, $"after {i}"), $"after {i}"));
        }

        Assert.Equal(8, await kit.WaitForStoredAsync([room], 8, StoreTimeout));
        Assert.Equal(Enumerable.Range(1, 8).Select(seq => (long)seq), acks.Select(ack => ack.Seq));
        Assert.Equal(acks, (await kit.StoredAsync(room)).Select(m => new Ack(m.Seq, m.MessageId.ToString(), m.Content)));
    }

    private static async Task SendUntilStoppedAsync(RealtimeTestClient client, string room, string sender, ConcurrentBag<Ack> acks, CancellationToken stop)
    {
        // One message every 650 ms stays under the per-user limit of 100 a minute, however long the stop takes.
        for (var i = 0; i < 300 && !stop.IsCancellationRequested; i++)
        {
            var content = $"{sender} #{i}";
            acks.Add(ToAck(await client.SendMessageAsync(room, content), content));
            await Task.Delay(650, CancellationToken.None);
        }
    }

    private static Ack ToAck(JsonElement ack, string content) =>
        new(ack.GetProperty("seq").GetInt64(), ack.GetProperty("messageId").GetString()!, content);
}
