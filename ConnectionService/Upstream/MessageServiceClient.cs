using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Caching.Memory;
using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.Contracts;
using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.ConnectionService.Upstream;

/// <summary>MessageService's internal endpoints and history API, as docs/architecture.md describes them.</summary>
public sealed class MessageServiceClient(IHttpClientFactory httpClients, IMemoryCache cache, RealtimeOptions options)
{
    public const string HttpClientName = "message-service";
    public const int HistoryPageSize = 200;

    private readonly Lock _accessGate = new();
    private long _accessGeneration;

    private HttpClient Http => httpClients.CreateClient(HttpClientName);

    /// <summary>Whether the user may read the room (for a mention: nothing is recorded).</summary>
    public Task<bool> CanReadAsync(string room, string userId, CancellationToken cancellationToken) =>
        CheckAccessAsync(room, userId, HttpMethod.Get, "access", cancellationToken);

    /// <summary>Whether the user may join the room; a room nobody created comes into being, public, on this call.</summary>
    public Task<bool> CanJoinAsync(string room, string userId, CancellationToken cancellationToken) =>
        CheckAccessAsync(room, userId, HttpMethod.Post, "joins", cancellationToken);

    /// <summary>
    /// Forgets the user's cached grant, when the user was removed from the room. An answer that was on its way
    /// meanwhile is not cached either: it may predate the removal.
    /// </summary>
    public void ForgetAccess(string room, string userId)
    {
        lock (_accessGate)
        {
            _accessGeneration++;
            cache.Remove(AccessCacheKey(room, userId));
        }
    }

    /// <summary>Moves the user's read position in the room (MessageService owns it and sends <c>read</c> and <c>receipt</c>).</summary>
    public async Task<ReadPositionResponse> MoveReadPositionAsync(string room, string userId, string username, long seq, CancellationToken cancellationToken)
    {
        using var response = await Http.PostAsJsonAsync($"/internal/rooms/{Uri.EscapeDataString(room)}/reads",
            new ReadPositionRequest(userId, username, seq), FrameJsonContext.Default.ReadPositionRequest, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(FrameJsonContext.Default.ReadPositionResponse, cancellationToken)
            ?? throw new InvalidOperationException("MessageService sent no read position.");
    }

    /// <summary>Takes the room off the user's room list (<c>leave</c> with <c>forget</c>); every replica forgets its grant.</summary>
    public async Task ForgetRoomAsync(string room, string userId, CancellationToken cancellationToken)
    {
        ForgetAccess(room, userId);
        using var response = await Http.DeleteAsync(
            $"/internal/rooms/{Uri.EscapeDataString(room)}/list/{Uri.EscapeDataString(userId)}", cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public async Task<long> GetLastSeqAsync(string room, CancellationToken cancellationToken)
    {
        var answer = await Http.GetFromJsonAsync(
            $"/internal/rooms/{Uri.EscapeDataString(room)}/last-seq", FrameJsonContext.Default.LastSeqResponse, cancellationToken);
        return answer?.LastSeq ?? throw new InvalidOperationException("MessageService sent no last seq.");
    }

    /// <summary>
    /// One page of stored messages with seq &gt; <paramref name="after"/>, ascending, read with the user's own token;
    /// null when MessageService refuses or fails (the caller then cannot claim a complete replay).
    /// </summary>
    public async Task<IReadOnlyList<(long Seq, byte[] Frame)>?> GetHistoryAfterAsync(
        string room, long after, string accessToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"/api/rooms/{Uri.EscapeDataString(room)}/messages?after={after}&limit={HistoryPageSize}&events=true");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await Http.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return null;
        }

        var page = await response.Content.ReadFromJsonAsync(FrameJsonContext.Default.MessagesPage, cancellationToken);
        if (page?.Messages is not { } items)
        {
            return null;
        }

        // Each message is encoded by the same codec as a live one (in its current state); events are passed on as they are.
        IEnumerable<(long Seq, byte[] Frame)> events = (page.Events ?? [])
            .Select(item => (item.TryGetProperty("seq", out var seq) && seq.TryGetInt64(out var number) ? number : 0,
                System.Text.Encoding.UTF8.GetBytes(item.GetRawText())));
        return [.. items.Select(message => (message.Seq, FrameCodec.Encode(message))).Concat(events).OrderBy(item => item.Seq)];
    }

    /// <summary>The message an edit, delete or reaction of <paramref name="userId"/> is about; null when the room has no such message.</summary>
    public async Task<MessageLookup?> LookupMessageAsync(string room, string messageId, string userId, CancellationToken cancellationToken)
    {
        using var response = await Http.GetAsync(InternalApi.MessageLookupPath(room, messageId, userId), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(FrameJsonContext.Default.MessageLookup, cancellationToken)
            ?? throw new InvalidOperationException("MessageService sent no message.");
    }

    /// <summary>
    /// Grants for rooms that exist are reused for <see cref="RealtimeOptions.AccessCacheMs"/> (a removal forgets them
    /// on every replica); refusals never are, so a member just added is let in at the next join.
    /// </summary>
    private async Task<bool> CheckAccessAsync(string room, string userId, HttpMethod method, string endpoint, CancellationToken cancellationToken)
    {
        var key = AccessCacheKey(room, userId);
        if (cache.TryGetValue(key, out bool _))
        {
            return true;
        }

        var generation = Volatile.Read(ref _accessGeneration);
        using var request = new HttpRequestMessage(method,
            $"/internal/rooms/{Uri.EscapeDataString(room)}/{endpoint}?userId={Uri.EscapeDataString(userId)}");
        using var response = await Http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        var access = await response.Content.ReadFromJsonAsync(FrameJsonContext.Default.RoomAccessResponse, cancellationToken);
        if (access is not { CanRead: true })
        {
            return false;
        }

        if (access.Exists)
        {
            lock (_accessGate)
            {
                if (_accessGeneration == generation)
                {
                    cache.Set(key, true, new MemoryCacheEntryOptions
                    {
                        AbsoluteExpirationRelativeToNow = TimeSpan.FromMilliseconds(options.AccessCacheMs),
                        Size = 1,
                    });
                }
            }
        }

        return true;
    }

    private static string AccessCacheKey(string room, string userId) => $"access|{room}|{userId}";
}
