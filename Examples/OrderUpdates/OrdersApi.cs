using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using RealtimeAspire.Server;

namespace OrderUpdates;

/// <summary>The shop's own API: an order's status change is pushed to the order's room, where its customer listens.</summary>
public static class OrdersApi
{
    /// <summary>The room an order's updates go to; customers join it like any room.</summary>
    public static string RoomOf(string orderId) => $"orders-{orderId}";

    public static RouteGroupBuilder MapOrdersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/orders");
        group.MapPost("/{orderId}/status", ChangeStatusAsync);
        return group;
    }

    private static async Task<Results<Ok<PublishResult>, ProblemHttpResult>> ChangeStatusAsync(
        string orderId, OrderStatusChange change, RealtimeServerClient realtime, CancellationToken cancellationToken)
    {
        var data = JsonSerializer.SerializeToElement(new { orderId, status = change.Status });
        try
        {
            // The change's own id as idempotency key: a retried request publishes once.
            var published = await realtime.PublishAsync(RoomOf(orderId),
                new ServerMessage($"Order {orderId} is {change.Status}.", data, IdempotencyKey: change.ChangeId), cancellationToken);
            return TypedResults.Ok(published);
        }
        catch (RealtimeServerException e)
        {
            return TypedResults.Problem(title: "The update was not published", detail: e.Message, statusCode: StatusCodes.Status502BadGateway);
        }
    }
}

/// <summary>An order's new status; <see cref="ChangeId"/> identifies the change so a retry is not published twice.</summary>
public sealed record OrderStatusChange(string Status, string? ChangeId);
