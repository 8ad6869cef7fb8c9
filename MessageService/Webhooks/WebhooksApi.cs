using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RealtimeAspire.MessageService.Data;

namespace RealtimeAspire.MessageService.Webhooks;

/// <summary>Webhook endpoints of the server API (protocol.md §6), scope <c>webhooks:manage</c>.</summary>
public static class WebhooksApi
{
    public const int MaxRoomPrefixes = 100;
    public const int MaxDeliveriesPage = 200;

    public static RouteGroupBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/server/webhooks").RequireScope(ServerScopes.WebhooksManage);

        group.MapPost("", CreateAsync);
        group.MapGet("", ListAsync);
        group.MapGet("/{id:guid}", GetAsync);
        group.MapDelete("/{id:guid}", DeleteAsync);
        group.MapGet("/{id:guid}/deliveries", ListDeliveriesAsync);

        return group;
    }

    public static async Task<Results<Created<CreatedWebhookResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateWebhookRequest request, ClaimsPrincipal user, MessagesDbContext db, IOptions<WebhookOptions> options,
        TimeProvider time, CancellationToken cancellationToken)
    {
        if (await WebhookAddressGuard.CheckUrlAsync(request.Url, options.Value.AllowPrivateAddresses, cancellationToken) is { } urlProblem)
        {
            return RoomProblems.Invalid("url", urlProblem);
        }

        var events = (request.Events ?? []).Distinct().ToList();
        if (events.Count == 0 || events.Any(type => !WebhookEventTypes.All.Contains(type)))
        {
            return RoomProblems.Invalid("events", $"Events are one or more of {string.Join(", ", WebhookEventTypes.All)}.");
        }

        var prefixes = (request.Rooms ?? []).Distinct().ToList();
        if (prefixes.Count > MaxRoomPrefixes || prefixes.Any(prefix => string.IsNullOrEmpty(prefix) || prefix.Length > Room.MaxIdLength))
        {
            return RoomProblems.Invalid("rooms", $"Rooms are up to {MaxRoomPrefixes} room id prefixes of 1 to {Room.MaxIdLength} characters.");
        }

        if (await db.WebhookEndpoints.CountAsync(cancellationToken) >= options.Value.MaxEndpoints)
        {
            return TypedResults.Problem(title: "Too many webhooks",
                detail: $"At most {options.Value.MaxEndpoints} webhook endpoints may be registered.", statusCode: StatusCodes.Status409Conflict);
        }

        var endpoint = new WebhookEndpoint
        {
            Id = Guid.CreateVersion7(),
            Url = request.Url!,
            Events = events,
            RoomPrefixes = prefixes,
            Secret = NewSecret(),
            CreatedBy = Caller.From(user).UserId,
            CreatedAt = time.GetUtcNow(),
        };
        db.WebhookEndpoints.Add(endpoint);
        await db.SaveChangesAsync(cancellationToken);

        return TypedResults.Created($"/api/server/webhooks/{endpoint.Id}",
            new CreatedWebhookResponse(endpoint.Id, endpoint.Secret, endpoint.Url, endpoint.Events, endpoint.RoomPrefixes, endpoint.CreatedAt));
    }

    public static async Task<Ok<WebhookListResponse>> ListAsync(MessagesDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(new WebhookListResponse(await Describe(db, db.WebhookEndpoints).ToListAsync(cancellationToken)));

    public static async Task<Results<Ok<WebhookResponse>, ProblemHttpResult>> GetAsync(Guid id, MessagesDbContext db, CancellationToken cancellationToken) =>
        await Describe(db, db.WebhookEndpoints.Where(e => e.Id == id)).FirstOrDefaultAsync(cancellationToken) is { } webhook
            ? TypedResults.Ok(webhook)
            : WebhookNotFound(id);

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, MessagesDbContext db, CancellationToken cancellationToken)
    {
        // Its pending and failed deliveries go with it (cascade).
        var deleted = await db.WebhookEndpoints.Where(e => e.Id == id).ExecuteDeleteAsync(cancellationToken);
        return deleted == 0 ? WebhookNotFound(id) : TypedResults.NoContent();
    }

    public static async Task<Results<Ok<DeliveryListResponse>, ValidationProblem, ProblemHttpResult>> ListDeliveriesAsync(
        Guid id, string? status, long? before, int? limit, MessagesDbContext db, CancellationToken cancellationToken)
    {
        WebhookDeliveryStatus? wanted = null;
        if (status is not null)
        {
            if (!Enum.TryParse<WebhookDeliveryStatus>(status, ignoreCase: true, out var parsed) || int.TryParse(status, out _))
            {
                return RoomProblems.Invalid("status", "Status is pending, delivered or failed.");
            }

            wanted = parsed;
        }

        var pageSize = limit ?? 50;
        if (pageSize is < 1 or > MaxDeliveriesPage)
        {
            return RoomProblems.Invalid("limit", $"The limit is 1 to {MaxDeliveriesPage}.");
        }

        if (!await db.WebhookEndpoints.AnyAsync(e => e.Id == id, cancellationToken))
        {
            return WebhookNotFound(id);
        }

        // Newest first; `before` is the `cursor` of the last delivery of the previous page.
        var deliveries = await db.WebhookDeliveries
            .Where(d => d.EndpointId == id && (wanted == null || d.Status == wanted) && (before == null || d.Id < before))
            .OrderByDescending(d => d.Id)
            .Take(pageSize)
            .Join(db.WebhookEvents, d => d.EventId, e => e.Id, (d, e) => new { Delivery = d, e.Type })
            .ToListAsync(cancellationToken);

        return TypedResults.Ok(new DeliveryListResponse([.. deliveries.Select(row => new DeliveryResponse(
            row.Delivery.Id, WebhookHeaders.Id(row.Delivery.EventId), row.Type, row.Delivery.Status.ToString().ToLowerInvariant(),
            row.Delivery.Attempts, row.Delivery.LastStatusCode, row.Delivery.LastError, row.Delivery.CreatedAt,
            row.Delivery.Status == WebhookDeliveryStatus.Pending ? row.Delivery.NextAttemptAt : null, row.Delivery.DeliveredAt))]));
    }

    /// <summary>Endpoints as listed; filter before this, since EF Core cannot filter on the record it builds.</summary>
    private static IQueryable<WebhookResponse> Describe(MessagesDbContext db, IQueryable<WebhookEndpoint> endpoints) =>
        endpoints
            .OrderBy(e => e.CreatedAt)
            .Select(e => new WebhookResponse(
                e.Id, e.Url, e.Events, e.RoomPrefixes, e.CreatedAt,
                db.WebhookDeliveries.Count(d => d.EndpointId == e.Id && d.Status == WebhookDeliveryStatus.Pending),
                db.WebhookDeliveries.Count(d => d.EndpointId == e.Id && d.Status == WebhookDeliveryStatus.Failed)));

    /// <summary>A Standard Webhooks secret: <c>whsec_</c> and the base64 of 24 random bytes.</summary>
    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    private static ProblemHttpResult WebhookNotFound(Guid id) =>
        TypedResults.Problem(title: "Webhook not found", detail: $"There is no webhook '{id}'.", statusCode: StatusCodes.Status404NotFound);
}
