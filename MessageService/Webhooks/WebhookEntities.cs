namespace RealtimeAspire.MessageService.Webhooks;

/// <summary>A backend's webhook endpoint: where the events it subscribed to go, signed with its secret.</summary>
public sealed class WebhookEndpoint
{
    public const int MaxUrlLength = 2048;

    public required Guid Id { get; init; }

    public required string Url { get; init; }

    public required List<string> Events { get; init; }

    /// <summary>Room id prefixes; empty takes every event, otherwise only events of a room starting with one of them.</summary>
    public required List<string> RoomPrefixes { get; init; }

    /// <summary>The Standard Webhooks signing secret (<c>whsec_</c> and base64); kept as is because every delivery signs with it.</summary>
    public required string Secret { get; init; }

    /// <summary>The <c>sub</c> of the client that registered it.</summary>
    public required string CreatedBy { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>
/// One event in the outbox, written in the same transaction as the change it reports. Its id is the
/// <c>webhook-id</c> of every attempt at every endpoint; its body is signed and sent byte for byte as stored.
/// </summary>
public sealed class WebhookEvent
{
    public required Guid Id { get; init; }

    public required string Type { get; init; }

    /// <summary>The room it concerns, for the endpoints' room prefixes; null for user events.</summary>
    public string? Room { get; init; }

    /// <summary>The queue it is delivered in order with: its room, or the user of a user event.</summary>
    public required string OrderKey { get; init; }

    /// <summary>The JSON body <c>{type, timestamp, data}</c>.</summary>
    public required string Body { get; init; }

    /// <summary>The W3C traceparent of the change, so the webhook call continues its trace.</summary>
    public string? TraceParent { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
}

public enum WebhookDeliveryStatus
{
    Pending,
    Delivered,
    Failed,
}

/// <summary>One event on its way to one endpoint; the head of each (endpoint, order key) queue goes first.</summary>
public sealed class WebhookDelivery
{
    public long Id { get; init; }

    public required Guid EventId { get; init; }

    public required Guid EndpointId { get; init; }

    public required string OrderKey { get; init; }

    public required WebhookDeliveryStatus Status { get; set; }

    public int Attempts { get; set; }

    public required DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>Until when the worker that claimed it owns it.</summary>
    public DateTimeOffset? LeaseUntil { get; set; }

    public int? LastStatusCode { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }

    public required DateTimeOffset CreatedAt { get; init; }
}
