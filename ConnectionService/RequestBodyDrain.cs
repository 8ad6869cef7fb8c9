using Microsoft.AspNetCore.Http.Features;

namespace RealtimeAspire.ConnectionService;

/// <summary>
/// Reads a request body the endpoint left unread to its end before the answer completes. Over the Gateway's HTTP/2
/// link an answer that ends before its request body has arrived resets the stream, and Kestrel refuses every new
/// stream of the link (ENHANCE_YOUR_CALM) once too many reset streams wait out their drain: bodies sent to /ws or to
/// a /hub path that answers 404 made the Gateway answer 502 to every client on that link. The Gateway bounds a body
/// to 1 MiB; WebSocket requests have none.
/// </summary>
public static class RequestBodyDrain
{
    public static IApplicationBuilder UseRequestBodyDrain(this IApplicationBuilder app) =>
        app.UseWhen(
            context => context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody is true
                && !ProblemResponsesExtensions.IsWebSocketRequest(context),
            branch => branch.Use(async (context, next) =>
            {
                await next(context);
                await DrainAsync(context.Request, context.RequestAborted);
            }));

    private static async Task DrainAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await request.Body.CopyToAsync(Stream.Null, cancellationToken);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or BadHttpRequestException or InvalidOperationException)
        {
            // The client went away or the body broke a limit: nothing is left to wait for.
        }
    }
}
