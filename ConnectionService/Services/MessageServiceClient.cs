using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Caching.Memory;
using RealtimeAspire.ConnectionService.Protocol;

namespace RealtimeAspire.ConnectionService.Services;

/// <summary>MessageService's internal endpoints and history API, as docs/architecture.md describes them.</summary>
public sealed class MessageServiceClient(IHttpClientFactory httpClients, IMemoryCache cache, RealtimeOptions options)
{
    public const string HttpClientName = "message-service";
    public const int HistoryPageSize = 200;

    private HttpClient Http => httpClients.CreateClient(HttpClientName);

    /// <summary>
    /// Whether the user may read the room. Answers about created rooms are reused for a few seconds (a removal
    /// forgets them on every replica); a room nobody created may be created private at any moment, so its answer
    /// is never reused.
    /// </summary>
    public async Task<bool> CanReadAsync(string room, string userId, CancellationToken cancellationToken)
    {
        var key = AccessCacheKey(room, userId);
        if (cache.TryGetValue(key, out bool canRead))
        {
            return canRead;
        }

        var access = await Http.GetFromJsonAsync(
            $"/internal/rooms/{Uri.EscapeDataString(room)}/access?userId={Uri.EscapeDataString(userId)}",
            ServerJsonContext.Default.RoomAccess, cancellationToken);
        canRead = access?.CanRead == true;
        if (access?.Exists == true)
        {
            cache.Set(key, canRead, new MemoryCacheEntryOptions
            {
                AbsoluteExpirationRelativeToNow = TimeSpan.FromMilliseconds(options.AccessCacheMs),
                Size = 1,
            });
        }

        return canRead;
    }

    /// <summary>Forgets a cached answer, when the user was removed from the room.</summary>
    public void ForgetAccess(string room, string userId) => cache.Remove(AccessCacheKey(room, userId));

    public async Task<long> GetLastSeqAsync(string room, CancellationToken cancellationToken)
    {
        var answer = await Http.GetFromJsonAsync(
            $"/internal/rooms/{Uri.EscapeDataString(room)}/last-seq", ServerJsonContext.Default.RoomLastSeq, cancellationToken);
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
            $"/api/rooms/{Uri.EscapeDataString(room)}/messages?after={after}&limit={HistoryPageSize}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await Http.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return null;
        }

        using var document = await JsonDocument.ParseAsync(
            await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        if (!document.RootElement.TryGetProperty("messages", out var items) || items.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var messages = new List<(long, byte[])>(items.GetArrayLength());
        foreach (var item in items.EnumerateArray())
        {
            if (!item.TryGetProperty("seq", out var seq) || !seq.TryGetInt64(out var value))
            {
                return null;
            }

            // Each item is exactly a message frame: passed on as MessageService wrote it.
            messages.Add((value, JsonSerializer.SerializeToUtf8Bytes(item, ServerJsonContext.Default.JsonElement)));
        }

        return messages;
    }

    private static string AccessCacheKey(string room, string userId) => $"access|{room}|{userId}";
}
