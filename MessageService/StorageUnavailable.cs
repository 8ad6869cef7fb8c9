using System.Globalization;
using System.Net.Sockets;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace RealtimeAspire.MessageService;

/// <summary>Storage (PostgreSQL, or the Redis hand-off history is merged with) cannot give a complete answer now.</summary>
public sealed class StorageUnavailableException(string message) : Exception(message);

/// <summary>
/// Answers <c>503</c> with <c>Retry-After</c> and a problem body whenever PostgreSQL or Redis fails or is too slow,
/// so a client retries instead of taking a 500 or a page that lacks what was acknowledged.
/// </summary>
public sealed partial class StorageUnavailableHandler(ILogger<StorageUnavailableHandler> logger) : IExceptionHandler
{
    public const string Title = "storage_unavailable";

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsStorageFailure(exception))
        {
            return false;
        }

        LogUnavailable(logger, context.Request.Path, exception.GetType().Name, exception.Message);
        await WriteAsync(context, "Message storage cannot answer right now; retry shortly.");
        return true;
    }

    /// <summary>A failure of storage itself (anywhere in the exception's chain), not a fault of the request.</summary>
    public static bool IsStorageFailure(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is StorageUnavailableException or NpgsqlException { IsTransient: true } or RedisException
                or TimeoutException or SocketException or RetryLimitExceededException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The 503 answer: <c>Retry-After</c> in whole seconds and an RFC 7807 body.</summary>
    public static async Task WriteAsync(HttpContext context, string detail)
    {
        var retryAfter = context.RequestServices.GetRequiredService<IOptions<HistoryOptions>>().Value.RetryAfter;
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = StatusCodes.Status503ServiceUnavailable, Title = Title, Detail = detail },
        });
    }

    /// <summary>The request timeout policy of history reads (endpoints marked <c>WithRequestTimeout(TimeoutPolicy)</c>).</summary>
    public const string TimeoutPolicy = "history";

    /// <summary>A history read gets <see cref="HistoryOptions.RequestTimeout"/>; past it storage is deemed unavailable.</summary>
    public static void ConfigureTimeouts(RequestTimeoutOptions timeouts, HistoryOptions history) =>
        timeouts.AddPolicy(TimeoutPolicy, new RequestTimeoutPolicy
        {
            Timeout = history.RequestTimeout,
            TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
            WriteTimeoutResponse = context =>
            {
                // RequestAborted is still the timeout's own, cancelled token here (the middleware gives the client's
                // back after this returns), and the problem writer would give up on it.
                context.RequestAborted = CancellationToken.None;
                LogTimedOut(context.RequestServices.GetRequiredService<ILogger<StorageUnavailableHandler>>(), context.Request.Path, history.RequestTimeout);
                return WriteAsync(context, "Message storage did not answer in time; retry shortly.");
            },
        });

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} answered 503: storage unavailable ({Exception}: {Reason})")]
    private static partial void LogUnavailable(ILogger logger, string path, string exception, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} answered 503: storage did not answer within {Timeout}")]
    private static partial void LogTimedOut(ILogger logger, string path, TimeSpan timeout);
}
