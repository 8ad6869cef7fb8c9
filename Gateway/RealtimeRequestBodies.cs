using Microsoft.AspNetCore.Http.Features;

namespace RealtimeAspire.Gateway;

/// <summary>
/// On the realtime routes (route metadata <c>RealtimeBodies</c>) only a SignalR send (<c>POST /hub?id=…</c>) of a
/// connection a replica issued carries a body; a send to an id no replica issued is 404 here, any other body 413. A replica answers such a request without reading its body, which
/// resets the stream on the Gateway's shared HTTP/2 link, and enough resets make the replica refuse every stream of
/// that link (ENHANCE_YOUR_CALM): every client on it would get 502 (docs/reliability.md, "HTTP fuzzing").
/// </summary>
public static class RealtimeRequestBodies
{
    public const string MetadataKey = "RealtimeBodies";

    public static IReverseProxyApplicationBuilder UseRealtimeRequestBodies(this IReverseProxyApplicationBuilder proxy)
    {
        // Not async: a WebSocket's request lasts as long as the connection (see OriginPolicy).
        proxy.Use((context, next) =>
        {
            if (!RouteFlags.IsOn(context, MetadataKey)
                || RequestBodyLimit.IsWebSocketRequest(context)
                || context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody is not true
                || (IsSignalRSend(context.Request) && SignalRAffinity.IsResolved(context)))
            {
                return next();
            }

            return IsSignalRSend(context.Request)
                ? TypedResults.Problem(
                    statusCode: StatusCodes.Status404NotFound,
                    title: ProblemTitles.ForStatus(StatusCodes.Status404NotFound),
                    detail: "No connection with that id.").ExecuteAsync(context)
                : TypedResults.Problem(
                    statusCode: StatusCodes.Status413PayloadTooLarge,
                    title: ProblemTitles.RequestTooLarge,
                    detail: "This path takes no request body.").ExecuteAsync(context);
        });
        return proxy;
    }

    private static bool IsSignalRSend(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && request.Path == "/hub" && request.Query.ContainsKey("id");
}
