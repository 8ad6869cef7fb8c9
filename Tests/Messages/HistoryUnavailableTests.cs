using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RealtimeAspire.Contracts;
using RealtimeAspire.MessageService.Rooms;
using RealtimeAspire.Tests.Gateway;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Messages;

/// <summary>While storage or MessageService cannot answer, history is 503 with Retry-After, never a short page.</summary>
[Collection(DisruptiveAppCollection.Name)]
public sealed class HistoryUnavailableTests(RealtimeAppFixture fixture)
{
    private static readonly TimeSpan Timeout = MessagesTestKit.Timeout;
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task History_answers_503_with_retry_after_while_PostgreSQL_is_down_then_every_acked_message()
    {
        using var user = await TestUsers.RegisterAsync(fixture);
        await using var client = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user.AsTestUser());
        var room = MessagesTestKit.NewRoom("pg-down");
        await client.JoinAsync(room);
        var acked = new List<long> { await SendAsync(client, room, "before the outage") };
        // MessageService has fetched the signing keys it validates tokens with (AuthService needs PostgreSQL to serve them).
        Assert.Equal(acked, await ReadOnceAvailableAsync(user, room));

        try
        {
            await ReplicaLifecycle.StopAsync(fixture.App, "postgres");
            acked.Add(await SendAsync(client, room, "during the outage"));

            using var response = await user.Client.GetAsync($"/api/rooms/{room}/messages?after=0").WaitAsync(Timeout);
            await AssertUnavailableAsync(response);
        }
        finally
        {
            await ReplicaLifecycle.StartAsync(fixture.App, "postgres");
        }

        Assert.Equal(acked, await ReadOnceAvailableAsync(user, room));
    }

    [Fact]
    public async Task History_answers_503_with_retry_after_through_the_gateway_while_MessageService_is_down()
    {
        using var user = await TestUsers.RegisterAsync(fixture);
        await using var client = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user.AsTestUser());
        var room = MessagesTestKit.NewRoom("ms-down");
        await client.JoinAsync(room);
        var acked = new List<long> { await SendAsync(client, room, "before the stop") };

        try
        {
            await MessageServiceLifecycle.StopAsync(fixture);
            acked.Add(await SendAsync(client, room, "while stopped"));

            using var response = await user.Client.GetAsync($"/api/rooms/{room}/messages?after=0").WaitAsync(Timeout);
            await AssertUnavailableAsync(response);
        }
        finally
        {
            await MessageServiceLifecycle.StartAsync(fixture);
        }

        Assert.Equal(acked, await ReadOnceAvailableAsync(user, room));
    }

    /// <summary>Sends a message and returns its acked seq; an error instead of the ack fails the test, naming it.</summary>
    private static async Task<long> SendAsync(RealtimeTestClient client, string room, string content)
    {
        var id = Guid.NewGuid().ToString("N");
        await client.SendAsync(new { type = "message", room, content, id });
        while (true)
        {
            var frame = await client.ReceiveAsync();
            if (frame.GetProperty("type").GetString() is "ack" or "error" && frame.TryGetProperty("id", out var answered) && answered.GetString() == id)
            {
                Assert.True(frame.GetProperty("type").GetString() == "ack", $"'{content}' was answered {frame}");
                return frame.GetProperty("seq").GetInt64();
            }
        }
    }

    private static async Task AssertUnavailableAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {response.Headers.RetryAfter}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>().WaitAsync(Timeout);
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
    }

    /// <summary>Reads the room's history as a client would: on 503, again after Retry-After, until it answers.</summary>
    private static async Task<List<long>> ReadOnceAvailableAsync(ApiUser user, string room)
    {
        var deadline = DateTimeOffset.UtcNow + RecoveryTimeout;
        while (true)
        {
            using var response = await user.Client.GetAsync($"/api/rooms/{room}/messages?after=0").WaitAsync(Timeout);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var page = await response.Content.ReadFromJsonAsync<MessagesPage>().WaitAsync(Timeout);
                return [.. page!.Messages.Select(m => m.Seq)];
            }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.True(DateTimeOffset.UtcNow < deadline, "history did not answer again after the outage");
            await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
        }
    }
}
