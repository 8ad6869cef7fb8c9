using Microsoft.AspNetCore.Http.HttpResults;
using RealtimeAspire.ConnectionService.Connections;

namespace RealtimeAspire.ConnectionService;

public static class RealtimeApi
{
    public const string WebSocketPath = "/ws";

    public static RouteGroupBuilder MapRealtimeApi(this IEndpointRouteBuilder app)
    {
        if (app is IApplicationBuilder pipeline)
        {
            // Before the hub's middleware too: SignalR's WebSocket transport needs it.
            pipeline.UseWebSockets();
        }

        // Authentication is part of the WebSocket protocol (header, query string or auth frame), not of the upgrade.
        var group = app.MapGroup(WebSocketPath).AllowAnonymous();
        group.Map("", ConnectAsync);
        return group;
    }

    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> ConnectAsync(HttpContext context, ConnectionLifecycle lifecycle, WebSocketConnectionHost host)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "websocket_required",
                detail: "This endpoint speaks the realtime.v1 protocol over a WebSocket.");
        }

        if (lifecycle.IsDraining)
        {
            return Draining();
        }

        await host.RunAsync(context);
        return TypedResults.Empty;
    }

    /// <summary>A draining replica's answer to a connect of either transport: the client connects again, elsewhere.</summary>
    public static ProblemHttpResult Draining() =>
        TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "draining",
            detail: "This replica is shutting down; connect again.");
}
