using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The one way every service (the Gateway too) answers an error: an RFC 7807 <c>application/problem+json</c> body
/// with a stable title, whatever the client accepts, in every environment; a malformed request is a 400 problem,
/// never an exception page; an empty 4xx/5xx (unknown route, wrong method, the proxy's 502) gets a problem body.
/// </summary>
public static class ProblemResponsesExtensions
{
    public static TBuilder AddProblemResponses<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        // Before AddProblemDetails: the problem service asks its writers in order, and this one writes for any Accept.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProblemDetailsWriter, ProblemJsonWriter>());
        services.AddProblemDetails(options => options.CustomizeProblemDetails = HideExceptions);
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        // A body or parameter that cannot be bound throws (in every environment), so the handler above can name why.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return builder;
    }

    /// <summary>
    /// Exceptions become problems, and empty error responses get one. WebSocket requests skip both: they hold the
    /// request for the connection's life, and an awaiting middleware would keep its state alive for each of them.
    /// </summary>
    public static WebApplication UseProblemResponses(this WebApplication app)
    {
        app.UseWhen(context => !IsWebSocketRequest(context), branch =>
        {
            branch.UseExceptionHandler();
            branch.UseStatusCodePages(WriteStatusProblemAsync);
        });
        return app;
    }

    public static bool IsWebSocketRequest(HttpContext context) =>
        context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest is true
        || context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect is true;

    /// <summary>Writes a problem for <paramref name="statusCode"/> with its stable title; false if the response has started.</summary>
    public static async Task<bool> TryWriteProblemAsync(HttpContext context, int statusCode, string? title = null, string? detail = null)
    {
        if (context.Response.HasStarted)
        {
            return false;
        }

        context.Response.StatusCode = statusCode;
        return await context.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = statusCode,
                Title = title ?? ProblemTitles.ForStatus(statusCode),
                Detail = detail ?? ProblemTitles.DetailForStatus(statusCode),
            },
        });
    }

    private static Task WriteStatusProblemAsync(StatusCodeContext context) =>
        TryWriteProblemAsync(context.HttpContext, context.HttpContext.Response.StatusCode);

    // The developer exception page (Development) puts the exception, its stack and the request's headers into its
    // problem; should an exception ever reach it, none of that leaves the process.
    private static void HideExceptions(ProblemDetailsContext context)
    {
        if (context.Exception is null && !context.ProblemDetails.Extensions.ContainsKey("exception"))
        {
            return;
        }

        var status = context.ProblemDetails.Status ?? StatusCodes.Status500InternalServerError;
        context.ProblemDetails = new ProblemDetails
        {
            Status = status,
            Title = ProblemTitles.ForStatus(status),
            Detail = ProblemTitles.DetailForStatus(status),
        };
    }
}

/// <summary>
/// Writes every problem as <c>application/problem+json</c>, also for a client whose Accept names no JSON
/// (an EventSource sends <c>text/event-stream</c>, a browser <c>text/html</c>): the contract's errors are problems.
/// </summary>
internal sealed class ProblemJsonWriter(IOptions<ProblemDetailsOptions> problemOptions, IOptions<JsonOptions> jsonOptions) : IProblemDetailsWriter
{
    private const string ContentType = "application/problem+json";

    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var status = context.ProblemDetails.Status ?? http.Response.StatusCode;
        // The framework's own defaults (type link, title) for the status, as TypedResults.Problem fills them in.
        var defaults = TypedResults.Problem(statusCode: status).ProblemDetails;
        context.ProblemDetails.Status = status;
        context.ProblemDetails.Type ??= defaults.Type;
        context.ProblemDetails.Title ??= ProblemTitles.ForStatus(status);
        problemOptions.Value.CustomizeProblemDetails?.Invoke(context);

        var problem = context.ProblemDetails;
        problem.Extensions.TryAdd("traceId", Activity.Current?.Id ?? http.TraceIdentifier);
        http.Response.StatusCode = status;
        return new ValueTask(http.Response.WriteAsJsonAsync(problem, problem.GetType(), jsonOptions.Value.SerializerOptions, ContentType,
            http.RequestAborted));
    }
}

/// <summary>
/// A request the endpoint cannot bind (malformed or mistyped JSON, a wrong content type, a query value that is not a
/// number) or that Kestrel refuses while reading it: a problem with the exception's status and a stable title.
/// </summary>
internal sealed class BadRequestExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        var (title, detail) = badRequest.InnerException switch
        {
            JsonException json when IsMalformed(json) => (ProblemTitles.InvalidJson, "The request body is not valid JSON."),
            JsonException json => (ProblemTitles.InvalidRequest, $"The request body does not have the expected shape at {json.Path ?? "$"}."),
            _ => (ProblemTitles.ForStatus(badRequest.StatusCode), BadRequestDetail(badRequest.StatusCode)),
        };
        return await ProblemResponsesExtensions.TryWriteProblemAsync(httpContext, badRequest.StatusCode, title, detail);
    }

    // The reader's own error (truncated, not JSON, too deep) is a JsonException inside the serializer's; text that is
    // not UTF-8 fails while decoding. A value of the wrong type is the serializer's JsonException alone, or around the
    // reader's InvalidOperationException ("cannot get a Number as a String").
    private static bool IsMalformed(JsonException json) =>
        json.InnerException is JsonException or { InnerException: System.Text.DecoderFallbackException };

    private static string BadRequestDetail(int statusCode) => statusCode == StatusCodes.Status400BadRequest
        ? "A required value is missing or a parameter does not have the expected type."
        : ProblemTitles.DetailForStatus(statusCode);
}
