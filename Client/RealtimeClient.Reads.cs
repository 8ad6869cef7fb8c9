using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.Client;

// Protocol §7 for this client: the room list, read positions and receipts, and leave with forget.
public sealed partial class RealtimeClient
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });

    /// <summary>This user's read position in a room moved (on this device or another).</summary>
    public event EventHandler<ReadPosition>? ReadPositionChanged;

    /// <summary>A member of a joined room has read it up to a seq (at most one a second per member and room).</summary>
    public event EventHandler<ReadReceipt>? ReceiptReceived;

    /// <summary>
    /// Marks <paramref name="room"/> read up to <paramref name="seq"/>; positions only move forward. No answer comes
    /// back: a position that moved arrives as <see cref="ReadPositionChanged"/> on every connection of the user.
    /// While reconnecting it waits for the connection, up to the request timeout.
    /// </summary>
    /// <exception cref="InvalidOperationException">The room was not joined.</exception>
    public async Task ReadAsync(string room, long seq, CancellationToken cancellationToken = default)
    {
        if (!_rooms.ContainsKey(room))
        {
            throw new InvalidOperationException($"Join '{room}' before marking it read.");
        }

        using var timeout = RequestTimeout(cancellationToken);
        try
        {
            var session = await WaitForSessionAsync(timeout.Token);
            await SendOrThrowAsync(session, new ReadRequest(room, seq), timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOut("read");
        }
    }

    /// <summary>Leaves <paramref name="room"/>; with <paramref name="forget"/> it also leaves the user's room list, joined or not.</summary>
    public async Task LeaveAsync(string room, bool forget, CancellationToken cancellationToken = default)
    {
        await RequestAsync("leave", room, new LeaveRequest(room, forget ? true : null), cancellationToken);
        _rooms.TryRemove(room, out _);
    }

    /// <summary>The user's room list (<c>GET /api/rooms</c> of the same server), most recent activity first.</summary>
    public async Task<IReadOnlyList<MyRoom>> GetRoomsAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = RequestTimeout(cancellationToken);
        var api = new UriBuilder(_options.Url) { Scheme = _options.Url.Scheme is "https" or "wss" ? "https" : "http", Path = "/api/rooms", Query = "" };
        using var request = new HttpRequestMessage(HttpMethod.Get, api.Uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await _options.TokenProvider(timeout.Token));
        using var response = await Http.SendAsync(request, timeout.Token);
        response.EnsureSuccessStatusCode();
        using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(timeout.Token), cancellationToken: timeout.Token);
        return [.. body.RootElement.GetProperty("rooms").EnumerateArray().Select(ToMyRoom)];
    }

    private static MyRoom ToMyRoom(JsonElement room)
    {
        var last = room.GetProperty("lastMessage");
        var message = last.ValueKind == JsonValueKind.Object ? FrameCodec.Decode<MessageFrame>(Encoding.UTF8.GetBytes(last.GetRawText())) : null;
        return new MyRoom(
            room.GetProperty("room").GetString()!,
            room.GetProperty("visibility").GetString()!,
            room.GetProperty("lastSeq").GetInt64(),
            message is null ? null : new ChatMessage(message.Room, message.MessageId, message.Seq, message.UserId, message.Username, message.Content, message.Timestamp),
            room.GetProperty("readSeq").GetInt64(),
            room.GetProperty("unread").GetInt32());
    }

    private void InvokeReadHandlers(RealtimeEvent item)
    {
        switch (item)
        {
            case ReadPosition position: ReadPositionChanged?.Invoke(this, position); break;
            case ReadReceipt receipt: ReceiptReceived?.Invoke(this, receipt); break;
        }
    }
}
