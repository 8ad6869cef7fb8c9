using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using RealtimeAspire.Client;
using RealtimeAspire.Contracts;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Client;

/// <summary>The .NET client against the real system, through the Gateway.</summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class ClientIntegrationTests(RealtimeAppFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Two_users_in_a_room_see_the_same_message_with_the_acked_seq()
    {
        var room = $"client-it-{Guid.NewGuid():N}";
        await using var alice = await ConnectAsync(await RegisterAsync("alice"));
        await using var bob = await ConnectAsync(await RegisterAsync("bob"));
        using var reading = new CancellationTokenSource(Timeout);
        var bobEvents = bob.ReadEventsAsync(reading.Token).GetAsyncEnumerator(reading.Token);
        var bobNext = bobEvents.MoveNextAsync();

        var aliceJoined = await alice.JoinAsync(room).WaitAsync(Timeout);
        await bob.JoinAsync(room).WaitAsync(Timeout);
        var ack = await alice.SendAsync(room, "hello bob").WaitAsync(Timeout);
        var received = await NextMessageAsync(bobEvents, bobNext);

        Assert.Equal(room, aliceJoined.Room);
        Assert.Equal((room, ack.Seq, ack.MessageId, "hello bob", alice.UserId), (received.Room, received.Seq, received.MessageId, received.Content, received.UserId));
        Assert.True(ack.Seq > aliceJoined.Seq);
        await bobEvents.DisposeAsync();
    }

    [Fact]
    public async Task Presence_lists_the_joined_user_and_a_room_not_joined_is_refused()
    {
        var room = $"client-it-{Guid.NewGuid():N}";
        await using var carol = await ConnectAsync(await RegisterAsync("carol"));
        await carol.JoinAsync(room).WaitAsync(Timeout);

        var presence = await carol.PresenceAsync(room).WaitAsync(Timeout);
        var refused = await Assert.ThrowsAsync<RealtimeErrorException>(() => carol.SendAsync($"{room}-other", "x").WaitAsync(Timeout));

        Assert.Contains(presence.Members, m => m.UserId == carol.UserId);
        Assert.Equal(ErrorCodes.NotJoined, refused.Code);
    }

    [Fact]
    public async Task After_a_network_drop_the_client_rejoins_with_since_and_gets_every_missed_message_once()
    {
        var room = $"client-it-{Guid.NewGuid():N}";
        await using var relay = new TcpRelay(fixture.GatewayUri);
        var dave = await RegisterAsync("dave");
        await using var reader = await ConnectAsync(dave, relay.Url);
        await using var writer = await ConnectAsync(await RegisterAsync("erin"));
        var seqs = new List<long>();
        var reconnected = new TaskCompletionSource();
        reader.MessageReceived += (_, m) =>
        {
            lock (seqs)
            {
                seqs.Add(m.Seq);
            }
        };
        reader.StateChanged += (_, change) =>
        {
            if (change.State == RealtimeConnectionState.Reconnecting)
            {
                reconnected.TrySetResult();
            }
        };
        await reader.JoinAsync(room).WaitAsync(Timeout);
        await writer.JoinAsync(room).WaitAsync(Timeout);
        var first = await writer.SendAsync(room, "before the drop").WaitAsync(Timeout);
        await WaitUntilAsync(() => reader.GetLastSeq(room) == first.Seq);

        relay.DropAll();
        await reconnected.Task.WaitAsync(Timeout);
        var missed = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            missed.Add((await writer.SendAsync(room, $"missed {i}").WaitAsync(Timeout)).Seq);
        }

        await WaitUntilAsync(() => reader.GetLastSeq(room) == missed[^1]);
        lock (seqs)
        {
            Assert.Equal([first.Seq, .. missed], seqs);
        }
    }

    private async Task<RealtimeClient> ConnectAsync(Func<CancellationToken, ValueTask<string>> tokens, Uri? url = null)
    {
        var client = new RealtimeClient(new RealtimeClientOptions
        {
            Url = url ?? fixture.GatewayUri,
            TokenProvider = tokens,
            ReconnectBaseDelay = TimeSpan.FromMilliseconds(100),
            ReconnectMaxDelay = TimeSpan.FromSeconds(2),
        });
        await client.ConnectAsync().WaitAsync(Timeout);
        return client;
    }

    /// <summary>Registers a fresh user and returns a token provider that logs in again on every call.</summary>
    private async Task<Func<CancellationToken, ValueTask<string>>> RegisterAsync(string name)
    {
        using var http = fixture.CreateGatewayClient();
        var credentials = new JsonObject { ["username"] = $"{name}_{Guid.NewGuid():N}"[..24], ["password"] = "client-test-password" };
        var registered = await http.PostAsJsonAsync("/api/auth/register", credentials).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        return async cancellationToken =>
        {
            using var client = fixture.CreateGatewayClient();
            using var response = await client.PostAsJsonAsync("/api/auth/token", credentials, cancellationToken);
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!["accessToken"]!.GetValue<string>();
        };
    }

    private static async Task<ChatMessage> NextMessageAsync(IAsyncEnumerator<RealtimeEvent> events, ValueTask<bool> pending)
    {
        var hasNext = await pending;
        while (hasNext)
        {
            if (events.Current is ChatMessage message)
            {
                return message;
            }

            hasNext = await events.MoveNextAsync();
        }

        throw new InvalidOperationException("The event stream ended without a message.");
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
