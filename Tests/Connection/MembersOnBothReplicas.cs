using System.Text.Json;
using RealtimeAspire.Tests.Infrastructure;
using RealtimeAspire.Tests.SignalR;

namespace RealtimeAspire.Tests.Connection;

/// <summary>
/// An owner and two users: <see cref="Socketeer"/> with a WebSocket on each replica, <see cref="Hubber"/> with a
/// SignalR connection on each; <see cref="Each"/> drives all four the same way.
/// </summary>
public sealed class MembersOnBothReplicas(
    HttpClient http, TestUser owner, TestUser socketeer, TestUser hubber,
    RealtimeTestClient w1, RealtimeTestClient w2, HubTestClient h1, HubTestClient h2) : IAsyncDisposable
{
    public HttpClient Http { get; } = http;

    public TestUser Owner { get; } = owner;

    public TestUser Socketeer { get; } = socketeer;

    public TestUser Hubber { get; } = hubber;

    public IReadOnlyList<MemberConnection> Each { get; } =
        [new SocketMember(w1), new SocketMember(w2), new HubMember(h1), new HubMember(h2)];

    public Task<JsonElement[]> JoinEachAsync(string room) => Task.WhenAll(Each.Select(member => member.JoinAsync(room)));

    public Task<JsonElement[]> PresenceOfEachAsync(string room) => Task.WhenAll(Each.Select(member => member.PresenceAsync(room)));

    public Task<JsonElement[]> NextMessageOfEachAsync(string room) => Task.WhenAll(Each.Select(member => member.NextMessageAsync(room)));

    public async ValueTask DisposeAsync()
    {
        await w1.DisposeAsync();
        await w2.DisposeAsync();
        await h1.DisposeAsync();
        await h2.DisposeAsync();
        Http.Dispose();
    }
}

/// <summary>One connection of either protocol; each call returns the answer frame (<c>error</c> included).</summary>
public abstract class MemberConnection
{
    private const int MaxCycles = 5_000;

    public abstract Task<JsonElement> JoinAsync(string room);

    public abstract Task<JsonElement> LeaveAsync(string room);

    public abstract Task<JsonElement> PresenceAsync(string room);

    public abstract Task<JsonElement> NextMessageAsync(string room);

    /// <summary>Joins and leaves until a join is refused; <paramref name="started"/> is set after two cycles. Returns the cycles done.</summary>
    public async Task<int> JoinAndLeaveUntilRefusedAsync(string room, TaskCompletionSource started)
    {
        for (var cycles = 0; cycles < MaxCycles; cycles++)
        {
            var answer = await JoinAsync(room);
            if (answer.Type() == "error")
            {
                Assert.Equal("forbidden", answer.Str("code"));
                if (started.TrySetException(new InvalidOperationException("A member's join was refused before the removal.")))
                {
                    await started.Task;
                }

                return cycles;
            }

            // Either left, or not_joined when a kick came first.
            await LeaveAsync(room);
            if (cycles == 1)
            {
                started.TrySetResult();
            }
        }

        throw new InvalidOperationException($"Still admitted after {MaxCycles} joins.");
    }
}

public sealed class SocketMember(RealtimeTestClient client) : MemberConnection
{
    public override Task<JsonElement> JoinAsync(string room) => MembershipChangeTests.JoinAnswerAsync(client, room);

    public override async Task<JsonElement> LeaveAsync(string room)
    {
        await client.SendAsync(new { type = "leave", room });
        return await AnswerAsync(frame => frame.Type() == "left" && frame.Str("room") == room);
    }

    public override async Task<JsonElement> PresenceAsync(string room)
    {
        await client.SendAsync(new { type = "presence", room });
        return await AnswerAsync(frame => frame.Type() == "presence" && frame.Str("room") == room);
    }

    public override Task<JsonElement> NextMessageAsync(string room) =>
        client.WaitForAsync("message", frame => frame.Str("room") == room);

    /// <summary>The next frame that <paramref name="isAnswer"/> accepts, or the next error; other frames are skipped.</summary>
    private async Task<JsonElement> AnswerAsync(Func<JsonElement, bool> isAnswer)
    {
        while (true)
        {
            var frame = await client.ReceiveAsync();
            if (isAnswer(frame) || frame.Type() == "error")
            {
                return frame;
            }
        }
    }
}

public sealed class HubMember(HubTestClient client) : MemberConnection
{
    public override Task<JsonElement> JoinAsync(string room) => client.JoinAsync(room);

    public override Task<JsonElement> LeaveAsync(string room) => client.LeaveAsync(room);

    public override Task<JsonElement> PresenceAsync(string room) => client.PresenceAsync(room);

    public override Task<JsonElement> NextMessageAsync(string room) =>
        client.WaitForAsync("message", frame => frame.Str("room") == room);
}
