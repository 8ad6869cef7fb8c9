namespace RealtimeAspire.MessageService.Webhooks;

/// <summary><c>POST /api/server/webhooks</c>: where to, which event types, and optionally which rooms (id prefixes).</summary>
public sealed record CreateWebhookRequest(string? Url, List<string>? Events, List<string>? Rooms);

/// <summary>The answer of a create: the only time the secret is shown.</summary>
public sealed record CreatedWebhookResponse(Guid Id, string Secret, string Url, List<string> Events, List<string> Rooms, DateTimeOffset CreatedAt);

/// <summary>An endpoint as listed, with how many deliveries wait and how many failed for good.</summary>
public sealed record WebhookResponse(Guid Id, string Url, List<string> Events, List<string> Rooms, DateTimeOffset CreatedAt, int Pending, int Failed);

public sealed record WebhookListResponse(List<WebhookResponse> Webhooks);

/// <summary>One event's delivery to the endpoint; <c>cursor</c> pages with <c>before</c>.</summary>
public sealed record DeliveryResponse(
    long Cursor, string WebhookId, string Type, string Status, int Attempts, int? LastStatusCode, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt);

public sealed record DeliveryListResponse(List<DeliveryResponse> Deliveries);
