using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace RealtimeAspire.Gateway;

/// <summary>
/// The <c>auth</c> rate-limiter policy of the /api/auth routes: a fixed window of requests per client
/// address (Gateway:AuthRateLimit:PermitLimit per Gateway:AuthRateLimit:Window), then 429 with Retry-After.
/// AuthService still counts failed log-ins per account; this bounds what one address can try at all.
/// </summary>
public static class AuthRateLimiting
{
    public const string PolicyName = "auth";

    public static IHostApplicationBuilder AddAuthRateLimiting(this IHostApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection("Gateway:AuthRateLimit");
        var limiter = new FixedWindowRateLimiterOptions
        {
            PermitLimit = settings.GetValue("PermitLimit", 100),
            Window = settings.GetValue("Window", TimeSpan.FromSeconds(10)),
            QueueLimit = 0,
        };

        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = RejectAsync;
            options.AddPolicy(PolicyName, context =>
                RateLimitPartition.GetFixedWindowLimiter(ClientAddress.Of(context), _ => limiter));
        });

        return builder;
    }

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var response = rejected.HttpContext.Response;
        if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        await TypedResults.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "rate_limited",
            detail: "Too many requests from this address; retry after the time in Retry-After.").ExecuteAsync(rejected.HttpContext);
    }
}
