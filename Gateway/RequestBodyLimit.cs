using Microsoft.AspNetCore.Http.Features;

namespace RealtimeAspire.Gateway;

public static class RequestBodyLimit
{
    /// <summary>
    /// Refuses a body whose declared length is over Kestrel's MaxRequestBodySize with 413 at once. Kestrel
    /// enforces the limit only while a body is read, and a service that answers without reading it would
    /// let the oversized request pass unnoticed; a chunked body is still cut off by Kestrel as it streams.
    /// </summary>
    public static WebApplication UseRequestBodyLimit(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
            if (context.Request.ContentLength > limit)
            {
                await TypedResults.Problem(
                    statusCode: StatusCodes.Status413PayloadTooLarge,
                    title: "request_too_large",
                    detail: $"Request bodies are limited to {limit} bytes.").ExecuteAsync(context);
                return;
            }

            await next(context);
        });
        return app;
    }
}
