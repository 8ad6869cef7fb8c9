using Yarp.ReverseProxy.Forwarder;

namespace RealtimeAspire.Gateway;

/// <summary>
/// An <c>/api</c> request the Gateway could not forward (the service is stopped, restarting or unreachable) gets
/// <c>503</c> with <c>Retry-After</c> and a problem body instead of YARP's empty <c>502</c>: clients retry it as they
/// retry a service's own 503, and never mistake it for an answer.
/// </summary>
public static class UpstreamUnavailable
{
    private const string RetryAfterSeconds = "1";

    public static IReverseProxyApplicationBuilder UseUpstreamUnavailable(this IReverseProxyApplicationBuilder proxy)
    {
        proxy.Use(async (context, next) =>
        {
            await next();
            // YARP's own 502 (no connection) or 503 (no healthy destination); a client's body error (400, 413) or a
            // timeout (504) stays as it is.
            if (context.GetForwarderErrorFeature() is null
                || context.Response.StatusCode is not (StatusCodes.Status502BadGateway or StatusCodes.Status503ServiceUnavailable)
                || context.Response.HasStarted || !context.Request.Path.StartsWithSegments("/api"))
            {
                return;
            }

            context.Response.Clear();
            context.Response.Headers.RetryAfter = RetryAfterSeconds;
            await TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: ProblemTitles.ForStatus(StatusCodes.Status503ServiceUnavailable),
                detail: "The service behind this path cannot be reached right now; retry after the time in Retry-After.").ExecuteAsync(context);
        });

        return proxy;
    }
}
