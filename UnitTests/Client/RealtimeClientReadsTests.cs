using RealtimeAspire.Client;
using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.Tests.Client;

/// <summary>The client's §7 calls and events against the in-process fake server: read, leave with forget, read and receipt.</summary>
public sealed class RealtimeClientReadsTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private FakeRealtimeServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeRealtimeServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Read_sends_the_position_of_a_joined_room_and_leave_can_forget()
    {
        await using var client = CreateClient();
        await client.ConnectAsync().WaitAsync(Timeout);
        var server = await _server.NextConnectionAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.ReadAsync("lobby", 3).WaitAsync(Timeout));
        var joining = client.JoinAsync("lobby");
        await server.ReceiveAsync("join");
        await server.SendAsync(new JoinedFrame("lobby", 5, true, []));
        await joining.WaitAsync(Timeout);

        await client.ReadAsync("lobby", 4).WaitAsync(Timeout);
        var read = await server.ReceiveAsync("read");
        var leaving = client.LeaveAsync("lobby", forget: true);
        var leave = await server.ReceiveAsync("leave");
        await server.SendAsync(new LeftFrame("lobby"));
        await leaving.WaitAsync(Timeout);

        Assert.Equal(("lobby", 4L), (read.GetProperty("room").GetString(), read.GetProperty("seq").GetInt64()));
        Assert.True(leave.GetProperty("forget").GetBoolean());
        Assert.Empty(client.Rooms);
    }

    [Fact]
    public async Task Read_and_receipt_frames_become_events()
    {
        await using var client = CreateClient();
        var positions = new List<ReadPosition>();
        client.ReadPositionChanged += (_, position) => positions.Add(position);
        await client.ConnectAsync().WaitAsync(Timeout);
        var server = await _server.NextConnectionAsync();
        await using var events = client.ReadEventsAsync().GetAsyncEnumerator();
        var first = events.MoveNextAsync().AsTask();

        await server.SendAsync(new ReadFrame("lobby", 7));
        await server.SendAsync(new ReceiptFrame("lobby", "u2", "bob", 6));

        Assert.True(await first.WaitAsync(Timeout));
        var received = new List<RealtimeEvent> { events.Current };
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(Timeout));
        received.Add(events.Current);
        Assert.Equal([new ReadPosition("lobby", 7), new ReadReceipt("lobby", "u2", "bob", 6)], received);
        Assert.Equal([new ReadPosition("lobby", 7)], positions);
    }

    private RealtimeClient CreateClient() =>
        new(new RealtimeClientOptions
        {
            Url = _server.Url,
            TokenProvider = _ => ValueTask.FromResult("token"),
            RequestTimeout = TimeSpan.FromSeconds(5),
            ReconnectBaseDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMinutes(1),
        });
}
