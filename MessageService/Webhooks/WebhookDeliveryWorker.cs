using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RealtimeAspire.MessageService.Data;

namespace RealtimeAspire.MessageService.Webhooks;

/// <summary>
/// Delivers the outbox: claims due deliveries that head their (endpoint, order key) queue under a lease, attempts them
/// in parallel, and records each outcome. A row lock (SKIP LOCKED) and the lease keep two instances from attempting the
/// same delivery at once; a dead instance's lease runs out and another takes over, with the same <c>webhook-id</c>.
/// </summary>
public sealed partial class WebhookDeliveryWorker(
    IServiceScopeFactory scopeFactory,
    WebhookSender sender,
    WebhookMetrics metrics,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<WebhookDeliveryWorker> logger) : BackgroundService
{
    private WebhookOptions Options => options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var errorDelay = Options.PollInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var claimed = await ClaimAsync(stoppingToken);
                if (claimed.Count > 0)
                {
                    await Task.WhenAll(claimed.Select(delivery => DeliverAsync(delivery, stoppingToken)));
                }

                errorDelay = Options.PollInterval;
                if (claimed.Count < Options.BatchSize)
                {
                    await Task.Delay(Options.PollInterval, time, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // PostgreSQL away: what was claimed stays leased, and is taken up again when the lease runs out.
                LogWorkerFailed(logger, e, errorDelay);
                await Task.Delay(errorDelay, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                errorDelay = TimeSpan.FromTicks(Math.Min(errorDelay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    private async Task<List<ClaimedDelivery>> ClaimAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagesDbContext>();
        var now = time.GetUtcNow();
        var leaseUntil = now + Options.LeaseTime;
        var batchSize = Options.BatchSize;

        // Only a queue's head is due: the next event of a room waits until the one before is delivered or failed.
        return await db.Database.SqlQuery<ClaimedDelivery>($"""
            WITH claimed AS (
                UPDATE "WebhookDeliveries" AS d SET "LeaseUntil" = {leaseUntil}, "Attempts" = d."Attempts" + 1
                WHERE d."Id" IN (
                    SELECT c."Id" FROM "WebhookDeliveries" AS c
                    WHERE c."Status" = 'Pending' AND c."NextAttemptAt" <= {now}
                        AND (c."LeaseUntil" IS NULL OR c."LeaseUntil" < {now})
                        AND NOT EXISTS (
                            SELECT 1 FROM "WebhookDeliveries" AS ahead
                            WHERE ahead."Status" = 'Pending' AND ahead."EndpointId" = c."EndpointId"
                                AND ahead."OrderKey" = c."OrderKey" AND ahead."Id" < c."Id")
                    ORDER BY c."NextAttemptAt"
                    LIMIT {batchSize}
                    FOR UPDATE SKIP LOCKED)
                RETURNING d."Id", d."Attempts", d."EventId", d."EndpointId")
            SELECT claimed."Id", claimed."Attempts", claimed."EventId", e."Type", e."Body", e."TraceParent", e."CreatedAt",
                claimed."EndpointId", endpoint."Url", endpoint."Secret"
            FROM claimed
            JOIN "WebhookEvents" AS e ON e."Id" = claimed."EventId"
            JOIN "WebhookEndpoints" AS endpoint ON endpoint."Id" = claimed."EndpointId"
            """).ToListAsync(cancellationToken);
    }

    private async Task DeliverAsync(ClaimedDelivery delivery, CancellationToken stoppingToken)
    {
        var started = time.GetTimestamp();
        var attempt = await sender.SendAsync(delivery, stoppingToken);
        metrics.Attempted(attempt.Outcome, time.GetElapsedTime(started));

        var now = time.GetUtcNow();
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagesDbContext>();

        // Recorded only while the claim is still this one's (same attempt count): a lease that ran out belongs to another.
        if (attempt.Delivered)
        {
            await db.Database.ExecuteSqlAsync($"""
                UPDATE "WebhookDeliveries" SET "Status" = 'Delivered', "DeliveredAt" = {now}, "LeaseUntil" = NULL,
                    "LastStatusCode" = {attempt.StatusCode}, "LastError" = NULL
                WHERE "Id" = {delivery.Id} AND "Attempts" = {delivery.Attempts} AND "Status" = 'Pending'
                """, CancellationToken.None);
            metrics.Delivered(now - delivery.CreatedAt);
            return;
        }

        var error = attempt.Error is { Length: > 1000 } ? attempt.Error[..1000] : attempt.Error;
        if (now >= delivery.CreatedAt + Options.RetryWindow)
        {
            await db.Database.ExecuteSqlAsync($"""
                UPDATE "WebhookDeliveries" SET "Status" = 'Failed', "LeaseUntil" = NULL,
                    "LastStatusCode" = {attempt.StatusCode}, "LastError" = {error}
                WHERE "Id" = {delivery.Id} AND "Attempts" = {delivery.Attempts} AND "Status" = 'Pending'
                """, CancellationToken.None);
            metrics.Failed();
            LogGaveUp(logger, delivery.WebhookId, delivery.EndpointId, delivery.Attempts, error);
            return;
        }

        var nextAttemptAt = now + WebhookRetry.Delay(delivery.Attempts, Options);
        await db.Database.ExecuteSqlAsync($"""
            UPDATE "WebhookDeliveries" SET "NextAttemptAt" = {nextAttemptAt}, "LeaseUntil" = NULL,
                "LastStatusCode" = {attempt.StatusCode}, "LastError" = {error}
            WHERE "Id" = {delivery.Id} AND "Attempts" = {delivery.Attempts} AND "Status" = 'Pending'
            """, CancellationToken.None);
        metrics.Retrying();
        LogRetrying(logger, delivery.WebhookId, delivery.EndpointId, delivery.Attempts, error, nextAttemptAt);
    }

    [LoggerMessage(LogLevel.Warning, "Webhook delivery failed; retrying in {Delay}")]
    private static partial void LogWorkerFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(LogLevel.Information, "Webhook {WebhookId} to endpoint {EndpointId}, attempt {Attempt} failed ({Error}); next at {NextAttemptAt}")]
    private static partial void LogRetrying(ILogger logger, string webhookId, Guid endpointId, int attempt, string? error, DateTimeOffset nextAttemptAt);

    [LoggerMessage(LogLevel.Warning, "Webhook {WebhookId} to endpoint {EndpointId} failed after {Attempts} attempts ({Error}); kept as failed")]
    private static partial void LogGaveUp(ILogger logger, string webhookId, Guid endpointId, int attempts, string? error);
}

/// <summary>The backoff between attempts: doubling from the first retry delay, up to the maximum.</summary>
public static class WebhookRetry
{
    public static TimeSpan Delay(int failedAttempts, WebhookOptions options)
    {
        var doublings = Math.Clamp(failedAttempts - 1, 0, 30);
        var ticks = Math.Min(options.FirstRetryDelay.Ticks * (1L << doublings), options.MaxRetryDelay.Ticks);
        return TimeSpan.FromTicks(Math.Max(ticks, 0));
    }
}
