using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace RealtimeAspire.Gateway;

public static class RequestBodyLimit
{
    /// <summary>
    /// Refuses a body whose declared length is over Kestrel's MaxRequestBodySize with 413 at once. Kestrel
    /// enforces the limit only while a body is read, and a service that answers without reading it would
    /// let the oversized request pass unnoticed; a chunked body is still cut off by Kestrel as it streams, and
    /// the proxy's bare 413 for it gets the same problem body.
    /// </summary>
    public static WebApplication UseRequestBodyLimit(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
            if (context.Request.ContentLength > limit)
            {
                return TooLarge(limit).ExecuteAsync(context);
            }

            // A WebSocket request has no body and lasts as long as its connection: no await here, which would keep
            // this middleware's state alive for every open WebSocket.
            return IsWebSocketRequest(context) ? next(context) : ForwardAndCheckAsync(context, next, limit);
        });
        return app;
    }

    private static async Task ForwardAndCheckAsync(HttpContext context, RequestDelegate next, long? limit)
    {
        await next(context);
        if (context.Response.StatusCode == StatusCodes.Status413PayloadTooLarge && !context.Response.HasStarted)
        {
            await TooLarge(limit).ExecuteAsync(context);
        }
    }

    public static bool IsWebSocketRequest(HttpContext context) =>
        context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest is true
        || context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect is true;

    private static ProblemHttpResult TooLarge(long? limit) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "request_too_large",
        detail: $"Request bodies are limited to {limit} bytes.");
}
