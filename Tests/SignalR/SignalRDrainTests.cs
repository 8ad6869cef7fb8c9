using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http.Connections;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Gateway;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.SignalR;

[Collection(DisruptiveAppCollection.Name)]
public sealed class SignalRDrainTests(RealtimeAppFixture fixture)
{
    [Fact]
    public async Task A_long_polling_client_of_a_stopped_replica_reconnects_to_the_other_and_join_since_misses_nothing()
    {
        using var http = fixture.CreateGatewayClient();
        var alice = await RealtimeTestClient.CreateUserAsync(http, "alice");
        var bob = await RealtimeTestClient.CreateUserAsync(http, "bob");
        await using var hub = await HubTestClient.ConnectAsync(fixture.GatewayUri, alice, HttpTransportType.LongPolling, reconnect: true);
        var stopped = hub.ReplicaId!;
        await using var sender = await RealtimeTestKit.ConnectOnReplicaAsync(fixture.GatewayUri, bob, replica => replica != stopped);
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.Connection.Reconnected += _ => Task.FromResult(reconnected.TrySetResult());
        var log = new ConcurrentQueue<string>();
        hub.Connection.Reconnecting += e => { log.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} reconnecting {e?.Message}"); return Task.CompletedTask; };
        hub.Connection.Closed += e => { log.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} closed {e}"); return Task.CompletedTask; };
        var room = RealtimeTestKit.NewRoom("drain");
        await hub.JoinAsync(room);
        await sender.JoinAsync(room);

        var seen = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            await sender.SendMessageAsync(room, $"before {i}");
            seen.Add((await hub.WaitForAsync("message")).Seq());
        }

        try
        {
            await ReplicaLifecycle.StopAsync(fixture.App, stopped);
            for (var i = 0; i < 3; i++)
            {
                await sender.SendMessageAsync(room, $"while moving {i}");
            }

            log.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} stopped, sent");
            var done = await Task.WhenAny(reconnected.Task, Task.Delay(ReplicaLifecycle.Timeout));
            Assert.True(done == reconnected.Task, string.Join("\n", log) + $"\nstate {hub.Connection.State}");
            var rejoined = await hub.JoinAsync(room, seen[^1]);
            await sender.SendMessageAsync(room, "after");
            while (seen.Count < 7)
            {
                seen.Add((await hub.WaitForAsync("message")).Seq());
            }

            Assert.NotEqual(stopped, hub.ReplicaId);
            Assert.Equal((6L, true), (rejoined.Seq(), rejoined.GetProperty("recovered").GetBoolean()));
            Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), seen);
            Assert.DoesNotContain(await hub.DrainAsync(), frame => frame.Type() == "message");
        }
        finally
        {
            await ReplicaLifecycle.StartAsync(fixture.App, stopped);
        }
    }
}
