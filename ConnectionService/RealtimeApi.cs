using Microsoft.AspNetCore.Http.HttpResults;
using RealtimeAspire.ConnectionService.Connections;
using RealtimeAspire.ConnectionService.Hubs;

namespace RealtimeAspire.ConnectionService;

public static class RealtimeApi
{
    public const string WebSocketPath = "/ws";

    public static RouteGroupBuilder MapRealtimeApi(this IEndpointRouteBuilder app)
    {
        if (app is IApplicationBuilder pipeline)
        {
            pipeline.UseWebSockets();
        }

        app.MapOperatorApi();

        // Authentication is part of the WebSocket protocol (header, query string or auth frame), not of the upgrade.
        var group = app.MapGroup(WebSocketPath).AllowAnonymous();
        group.Map("", ConnectAsync);
        // The same rooms over SignalR; the hub authenticates the connection itself (JWT, access_token for /hub).
        app.MapRealtimeHub();
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
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "draining",
                detail: "This replica is shutting down; connect again.");
        }

        await host.RunAsync(context);
        return TypedResults.Empty;
    }
}
