using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RealtimeAspire.MessageService.Data;
using RealtimeAspire.MessageService.Persistence;
using StackExchange.Redis;
using Fields = RealtimeAspire.Contracts.RedisSchema.WebhookEventFields;

namespace RealtimeAspire.MessageService.Webhooks;

/// <summary>
/// Moves the replicas' presence transitions (user.online/offline, room.occupied/vacated) from the 16 webhook hand-off
/// streams into the outbox, like the message hand-off: one consumer of group <c>message-service</c> per instance, entries
/// acknowledged and deleted only after their events commit, a dead consumer's entries claimed once idle. An event's id
/// comes from its entry's, so an entry written twice into the outbox is one event.
/// </summary>
public sealed partial class PresenceWebhookConsumer(
    IConnectionMultiplexer redis,
    IServiceScopeFactory scopeFactory,
    IOptions<PersistenceOptions> options,
    TimeProvider time,
    ILogger<PresenceWebhookConsumer> logger) : BackgroundService
{
    private readonly string _consumerName = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";

    private PersistenceOptions Options => options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var db = redis.GetDatabase();
        var groupsReady = false;
        var nextClaim = DateTimeOffset.MinValue;
        var retryDelay = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!groupsReady)
                {
                    await EnsureGroupsAsync(db);
                    groupsReady = true;
                }

                var entries = new List<(int Partition, StreamEntry Entry)>();
                if (time.GetUtcNow() >= nextClaim)
                {
                    entries.AddRange(await ClaimAbandonedAsync(db));
                    nextClaim = time.GetUtcNow() + Options.ClaimInterval;
                }

                var reads = await Task.WhenAll(Enumerable.Range(0, RedisSchema.Partitions).Select(partition =>
                    db.StreamReadGroupAsync(RedisSchema.WebhookHandoff(partition), RedisSchema.HandoffConsumerGroup, _consumerName,
                        StreamPosition.NewMessages, Options.ReadCount)));
                entries.AddRange(reads.SelectMany((read, partition) => read.Select(entry => (partition, entry))));

                if (entries.Count > 0)
                {
                    await WriteAsync(entries, stoppingToken);
                    await AcknowledgeAsync(db, entries);
                    retryDelay = TimeSpan.FromMilliseconds(200);
                }

                if (reads.All(read => read.Length < Options.ReadCount))
                {
                    await Task.Delay(Options.PollInterval, time, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (RedisServerException e) when (e.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
            {
                groupsReady = false;
            }
            catch (Exception e)
            {
                // Unacknowledged entries stay pending and are claimed again.
                LogFailed(logger, e, retryDelay);
                await Task.Delay(retryDelay, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    /// <summary>The event an entry records; null when it is malformed (it is dropped).</summary>
    public static NewWebhookEvent? ToEvent(int partition, StreamEntry entry)
    {
        var type = (string?)entry[Fields.Type];
        var room = (string?)entry[Fields.Room];
        var userId = (string?)entry[Fields.UserId] ?? "";
        var username = (string?)entry[Fields.Username] ?? "";
        if (!long.TryParse((string?)entry[Fields.Timestamp], out var milliseconds))
        {
            return null;
        }

        var id = new Guid(MD5.HashData(Encoding.UTF8.GetBytes($"{RedisSchema.WebhookHandoff(partition)}/{entry.Id}")));
        var timestamp = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
        return type switch
        {
            WebhookEventTypes.UserOnline or WebhookEventTypes.UserOffline when userId.Length > 0 =>
                new NewWebhookEvent(id, type, null, $"user:{userId}", new WebhookEventData.User(userId, username), timestamp, null),
            WebhookEventTypes.RoomOccupied or WebhookEventTypes.RoomVacated when RoomIds.IsValid(room) =>
                new NewWebhookEvent(id, type, room, room!,
                    new WebhookEventData.RoomPresence(room!, userId.Length > 0 ? userId : null, username.Length > 0 ? username : null),
                    timestamp, null),
            _ => null,
        };
    }

    private async Task WriteAsync(List<(int Partition, StreamEntry Entry)> entries, CancellationToken cancellationToken)
    {
        var events = entries.Select(e => ToEvent(e.Partition, e.Entry)).OfType<NewWebhookEvent>().ToList();
        if (events.Count < entries.Count)
        {
            LogMalformed(logger, entries.Count - events.Count);
        }

        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagesDbContext>();
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async token =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(token);
            await WebhookOutbox.WriteAsync(db, events, token);
            await transaction.CommitAsync(token);
        }, cancellationToken);
    }

    private static async Task EnsureGroupsAsync(IDatabase db)
    {
        for (var partition = 0; partition < RedisSchema.Partitions; partition++)
        {
            try
            {
                await db.StreamCreateConsumerGroupAsync(RedisSchema.WebhookHandoff(partition), RedisSchema.HandoffConsumerGroup, "0-0", createStream: true);
            }
            catch (RedisServerException e) when (e.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
            {
                // Another instance (or an earlier run) created it.
            }
        }
    }

    private async Task<IEnumerable<(int Partition, StreamEntry Entry)>> ClaimAbandonedAsync(IDatabase db)
    {
        var claims = await Task.WhenAll(Enumerable.Range(0, RedisSchema.Partitions).Select(partition =>
            db.StreamAutoClaimAsync(RedisSchema.WebhookHandoff(partition), RedisSchema.HandoffConsumerGroup, _consumerName,
                (long)Options.ClaimIdleTime.TotalMilliseconds, "0-0", Options.ReadCount)));
        return claims.SelectMany((claim, partition) => claim.ClaimedEntries.Select(entry => (partition, entry)));
    }

    private static Task AcknowledgeAsync(IDatabase db, List<(int Partition, StreamEntry Entry)> entries) =>
        Task.WhenAll(entries.GroupBy(e => e.Partition).Select(partition =>
        {
            var key = RedisSchema.WebhookHandoff(partition.Key);
            var ids = partition.Select(e => e.Entry.Id).ToArray();
            var transaction = db.CreateTransaction();
            _ = transaction.StreamAcknowledgeAsync(key, RedisSchema.HandoffConsumerGroup, ids);
            _ = transaction.StreamDeleteAsync(key, ids);
            return transaction.ExecuteAsync();
        }));

    [LoggerMessage(LogLevel.Warning, "Moving presence transitions into the webhook outbox failed; retrying in {Delay}")]
    private static partial void LogFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(LogLevel.Error, "Dropping {Count} malformed webhook hand-off entries")]
    private static partial void LogMalformed(ILogger logger, int count);
}
