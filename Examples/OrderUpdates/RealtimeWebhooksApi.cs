using Microsoft.AspNetCore.Http.HttpResults;
using StandardWebhooks.Diagnostics;

namespace OrderUpdates;

/// <summary>Receives RealtimeAspire's webhooks: only deliveries signed with this subscription's secret are taken.</summary>
public static class RealtimeWebhooksApi
{
    public const string WebhookPath = "/webhooks/realtime";

    public static RouteGroupBuilder MapRealtimeWebhooksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/webhooks");
        group.MapPost("/realtime", ReceiveAsync);
        // For the example's own test and for a person trying it: what has arrived.
        group.MapGet("/received", (ReceivedEvents received) => TypedResults.Ok(received.All));
        return group;
    }

    private static async Task<Results<NoContent, UnauthorizedHttpResult, StatusCodeHttpResult>> ReceiveAsync(
        HttpRequest request, WebhookSubscription subscription, ReceivedEvents received, CancellationToken cancellationToken)
    {
        if (subscription.Verifier is not { } verifier)
        {
            // Not subscribed yet: a 503 makes the sender retry later, so nothing is lost.
            return TypedResults.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }

        try
        {
            received.Add(await verifier.VerifyAsync(request, cancellationToken));
            return TypedResults.NoContent();
        }
        catch (WebhookVerificationException)
        {
            return TypedResults.Unauthorized();
        }
    }
}
