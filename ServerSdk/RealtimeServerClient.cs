using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using RealtimeAspire.Contracts;

namespace RealtimeAspire.Server;

/// <summary>
/// The server API of protocol.md §6 for an application's backend. Get it from DI
/// (<c>services.AddRealtimeServerClient(…)</c>);
/// its token is fetched and renewed for you. A refused call throws <see cref="RealtimeServerException"/>.
/// </summary>
public sealed class RealtimeServerClient(HttpClient http)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Publishes to a room, as a user's message is: same seq, stored once per idempotency key, recovered, mentions included (<c>rooms:publish</c>).</summary>
    public Task<PublishResult> PublishAsync(string room, ServerMessage message, CancellationToken cancellationToken = default) =>
        SendAsync<PublishResult>(HttpMethod.Post, $"/api/server/rooms/{Escape(room)}/messages",
            new PublishRequest(message.Content, message.Data, message.IdempotencyKey), cancellationToken);

    /// <summary>Publishes one message to up to 100 rooms in one call (<c>rooms:publish</c>).</summary>
    public async Task<IReadOnlyList<BroadcastResult>> BroadcastAsync(IReadOnlyList<string> rooms, ServerMessage message, CancellationToken cancellationToken = default) =>
        (await SendAsync<BroadcastResponse>(HttpMethod.Post, "/api/server/broadcast",
            new BroadcastRequest(rooms, message.Content, message.Data, message.IdempotencyKey), cancellationToken)).Results;

    /// <summary>Sends an <c>event</c> frame to every live connection of a user; not stored (<c>users:notify</c>).</summary>
    public Task<UserEventResult> NotifyUserAsync(string userId, JsonElement data, CancellationToken cancellationToken = default) =>
        SendAsync<UserEventResult>(HttpMethod.Post, $"/api/server/users/{Escape(userId)}/events", new UserEventRequest(data), cancellationToken);

    /// <summary>A page of any room's history, ascending by seq: after <paramref name="after"/> or ending before <paramref name="before"/> (<c>rooms:read</c>).</summary>
    public async Task<IReadOnlyList<Contracts.Frames.MessageFrame>> GetMessagesAsync(
        string room, long? after = null, long? before = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var query = string.Join('&', new[] { ("after", after), ("before", before), ("limit", (long?)limit) }
            .Where(parameter => parameter.Item2 is not null)
            .Select(parameter => $"{parameter.Item1}={parameter.Item2}"));
        var path = $"/api/server/rooms/{Escape(room)}/messages" + (query.Length > 0 ? "?" + query : "");
        return (await SendAsync<MessagesPage>(HttpMethod.Get, path, null, cancellationToken)).Messages;
    }

    /// <summary>Who is in any room now (<c>rooms:read</c>).</summary>
    public Task<RoomPresence> GetPresenceAsync(string room, CancellationToken cancellationToken = default) =>
        SendAsync<RoomPresence>(HttpMethod.Get, $"/api/server/rooms/{Escape(room)}/presence", null, cancellationToken);

    /// <summary>Creates a room; <paramref name="owner"/> names the user who owns it (<c>rooms:admin</c>).</summary>
    public Task CreateRoomAsync(string room, bool isPrivate, IReadOnlyList<string>? members = null, string? owner = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "/api/server/rooms", new CreateRoomRequest(room, isPrivate ? "private" : "public", members, owner), cancellationToken);

    /// <summary>Adds a member to any room (<c>rooms:admin</c>).</summary>
    public Task AddMemberAsync(string room, string username, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"/api/server/rooms/{Escape(room)}/members", new AddMemberRequest(username), cancellationToken);

    /// <summary>Removes a member; their live connections leave the room at once (<c>rooms:admin</c>).</summary>
    public Task RemoveMemberAsync(string room, string username, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"/api/server/rooms/{Escape(room)}/members/{Escape(username)}", null, cancellationToken);

    /// <summary>Blocks a user: live connections close with 4403; logins, refreshes and connections are refused until <paramref name="until"/> or unblocked (<c>users:block</c>).</summary>
    public Task BlockUserAsync(string userId, DateTimeOffset? until = null, string? reason = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"/api/server/users/{Escape(userId)}/block", new BlockRequest(until, reason), cancellationToken);

    /// <summary>Lifts a block (<c>users:block</c>).</summary>
    public Task UnblockUserAsync(string userId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"/api/server/users/{Escape(userId)}/block", null, cancellationToken);

    /// <summary>Registers a webhook endpoint; keep the answer's <see cref="WebhookEndpoint.Secret"/> to verify deliveries (<c>webhooks:manage</c>).</summary>
    public Task<WebhookEndpoint> CreateWebhookAsync(Uri url, IReadOnlyList<string> events, IReadOnlyList<string>? roomPrefixes = null, CancellationToken cancellationToken = default) =>
        SendAsync<WebhookEndpoint>(HttpMethod.Post, "/api/server/webhooks", new CreateWebhookRequest(url.ToString(), events, roomPrefixes), cancellationToken);

    /// <summary>The registered webhook endpoints (<c>webhooks:manage</c>).</summary>
    public async Task<IReadOnlyList<WebhookEndpoint>> ListWebhooksAsync(CancellationToken cancellationToken = default) =>
        (await SendAsync<WebhookList>(HttpMethod.Get, "/api/server/webhooks", null, cancellationToken)).Webhooks;

    /// <summary>Removes a webhook endpoint (<c>webhooks:manage</c>).</summary>
    public Task DeleteWebhookAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"/api/server/webhooks/{Escape(id)}", null, cancellationToken);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var response = await SendCoreAsync(method, path, body, cancellationToken);
        return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
            ?? throw new RealtimeServerException(response.StatusCode, "Empty answer", path);
    }

    private async Task SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var response = await SendCoreAsync(method, path, body, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendCoreAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            // Buffered, so the token handler can send it again after a 401.
            request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), Json));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        var response = await http.SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await FailureAsync(response, cancellationToken);
        }
    }

    internal static async Task<RealtimeServerException> FailureAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ProblemAnswer? problem = null;
        if (response.Content.Headers.ContentType?.MediaType is { } type && type.Contains("json", StringComparison.Ordinal))
        {
            try
            {
                problem = await response.Content.ReadFromJsonAsync<ProblemAnswer>(Json, cancellationToken);
            }
            catch (JsonException)
            {
                // Not a problem document: the status alone says what happened.
            }
        }

        return new RealtimeServerException(response.StatusCode, problem?.Title ?? response.ReasonPhrase, problem?.Detail);
    }

    private static string Escape(string segment) => Uri.EscapeDataString(segment);
}
