using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using RealtimeAspire.MessageService.Data;
using StackExchange.Redis;

namespace RealtimeAspire.MessageService.Persistence;

/// <summary>
/// Moves messages from the 16 hand-off streams into PostgreSQL. Every replica is one consumer of the group
/// <c>message-service</c>; an entry is acknowledged and removed only after its batch is committed, and entries
/// a dead consumer left pending are taken over once idle. Storage is idempotent, so redelivery never doubles a message.
/// </summary>
public sealed partial class HandoffConsumer(
    IConnectionMultiplexer redis,
    IServiceScopeFactory scopeFactory,
    PersistenceMetrics metrics,
    IOptions<PersistenceOptions> options,
    TimeProvider time,
    ILogger<HandoffConsumer> logger) : BackgroundService
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    // Unique per process: a restarted replica is a new consumer, and its predecessor's pending entries are claimed.
    public string ConsumerName { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";

    private PersistenceOptions Options => options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var db = redis.GetDatabase();
        var groupsReady = false;
        var nextClaim = DateTimeOffset.MinValue;
        var nextIdleConsumerSweep = time.GetUtcNow() + Options.IdleConsumerTime / 10;
        var retryDelay = TimeSpan.FromMilliseconds(100);

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!groupsReady)
                {
                    await HandoffStreams.EnsureGroupsAsync(db);
                    groupsReady = true;
                }

                var entries = new List<HandoffEntry>();
                var moreClaimable = false;
                if (time.GetUtcNow() >= nextClaim)
                {
                    (var claimed, moreClaimable) = await ClaimAbandonedAsync(db);
                    entries.AddRange(claimed);
                    nextClaim = moreClaimable ? time.GetUtcNow() : time.GetUtcNow() + Options.ClaimInterval;
                }

                if (time.GetUtcNow() >= nextIdleConsumerSweep)
                {
                    await RemoveIdleConsumersAsync(db);
                    nextIdleConsumerSweep = time.GetUtcNow() + Options.IdleConsumerTime / 10;
                }

                var (read, moreWaiting) = await ReadNewAsync(db);
                entries.AddRange(read);

                if (entries.Count > 0)
                {
                    await PersistAsync(db, entries, stoppingToken);
                    retryDelay = TimeSpan.FromMilliseconds(100);
                }

                // Reading again at once pays only while a backlog fills whole reads. Otherwise the next batch gathers
                // for a poll interval: reading the 16 streams for every few messages cost more than storing them.
                if (!moreWaiting && !moreClaimable)
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
                // Redis lost its data (or a stream was deleted): create the groups again.
                LogGroupGone(logger);
                groupsReady = false;
            }
            catch (Exception e)
            {
                LogPersistFailed(logger, e, retryDelay);
                await Task.Delay(retryDelay, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                retryDelay = Min(retryDelay * 2, MaxRetryDelay);
            }
        }
    }

    /// <summary>New entries of every partition; <c>More</c> when some partition had more than one read takes.</summary>
    private async Task<(List<HandoffEntry> Entries, bool More)> ReadNewAsync(IDatabase db)
    {
        // One XREADGROUP per partition: each partition is a slot of its own on a Redis Cluster.
        var reads = Enumerable.Range(0, RedisSchema.Partitions)
            .Select(partition => db.StreamReadGroupAsync(
                RedisSchema.Handoff(partition), RedisSchema.HandoffConsumerGroup, ConsumerName, StreamPosition.NewMessages, Options.ReadCount))
            .ToArray();
        var results = await Task.WhenAll(reads);

        var entries = results.SelectMany((read, partition) => read.Select(entry => HandoffEntry.Parse(partition, entry))).ToList();
        return (entries, results.Any(read => read.Length == Options.ReadCount));
    }

    private async Task<(List<HandoffEntry> Claimed, bool More)> ClaimAbandonedAsync(IDatabase db)
    {
        var claims = Enumerable.Range(0, RedisSchema.Partitions)
            .Select(partition => db.StreamAutoClaimAsync(
                RedisSchema.Handoff(partition), RedisSchema.HandoffConsumerGroup, ConsumerName,
                (long)Options.ClaimIdleTime.TotalMilliseconds, "0-0", Options.ReadCount))
            .ToArray();
        var results = await Task.WhenAll(claims);

        var claimed = results
            .SelectMany((result, partition) => result.ClaimedEntries.Select(entry => HandoffEntry.Parse(partition, entry)))
            .ToList();
        if (claimed.Count > 0)
        {
            metrics.Claimed(claimed.Count);
            LogClaimed(logger, claimed.Count);
        }

        var more = results.Any(result => result.ClaimedEntries.Length == Options.ReadCount);
        return (claimed, more);
    }

    private async Task RemoveIdleConsumersAsync(IDatabase db)
    {
        var removed = await HandoffStreams.RemoveIdleConsumersAsync(db, Options.IdleConsumerTime);
        if (removed > 0)
        {
            LogIdleConsumersRemoved(logger, removed);
        }
    }

    private async Task PersistAsync(IDatabase db, List<HandoffEntry> entries, CancellationToken stoppingToken)
    {
        var consumeActivities = entries.Select(StartConsumeActivity).OfType<Activity>().ToList();
        try
        {
            using var batchActivity = PersistenceMetrics.ActivitySource.StartActivity(
                "messages persist", ActivityKind.Internal, parentContext: default,
                links: consumeActivities.Take(64).Select(activity => new ActivityLink(activity.Context)));

            var stopwatch = Stopwatch.StartNew();
            var malformed = entries.Where(entry => entry.Message is null).ToList();
            if (malformed.Count > 0)
            {
                LogMalformedDropped(logger, malformed.Count, malformed[0].Id);
                metrics.Rejected(malformed.Count);
            }

            var messages = entries.Where(entry => entry.Message is not null).Select(entry => entry.Message!).ToList();
            var traceParents = entries
                .Where(entry => entry is { Message: not null, TraceParent: not null })
                .GroupBy(entry => entry.Message!.MessageId)
                .ToDictionary(group => group.Key, group => group.First().TraceParent!);
            var newlyStored = messages.Count == 0 ? 0 : await StoreWithRetryAsync(messages, traceParents, stoppingToken);

            await HandoffStreams.AcknowledgeAsync(db, entries);

            metrics.BatchStored(messages.Count, newlyStored, stopwatch.Elapsed);
            batchActivity?.SetTag("messages.batch.size", messages.Count);
            batchActivity?.SetTag("messages.batch.stored", newlyStored);
        }
        finally
        {
            consumeActivities.ForEach(activity => activity.Dispose());
        }
    }

    /// <summary>
    /// Stores the batch, waiting out a database that is away (the entries stay pending meanwhile). A message
    /// PostgreSQL refuses outright is dropped alone, so one bad message cannot stall the stream.
    /// </summary>
    private async Task<int> StoreWithRetryAsync(
        List<StoredMessage> messages, IReadOnlyDictionary<Guid, string> traceParents, CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                // Not cancelled by shutdown: a batch in hand is finished rather than left to be claimed.
                return await StoreAsync(messages, traceParents, CancellationToken.None);
            }
            catch (PostgresException e) when (!e.IsTransient)
            {
                LogBatchRefused(logger, e, messages.Count);
                return await StoreOneByOneAsync(messages, traceParents);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogStoreFailed(logger, e, messages.Count, delay);
                await Task.Delay(delay, time, stoppingToken);
                delay = Min(delay * 2, MaxRetryDelay);
            }
        }
    }

    private async Task<int> StoreOneByOneAsync(List<StoredMessage> messages, IReadOnlyDictionary<Guid, string> traceParents)
    {
        var stored = 0;
        foreach (var message in messages)
        {
            try
            {
                stored += await StoreAsync([message], traceParents, CancellationToken.None);
            }
            catch (PostgresException e) when (!e.IsTransient)
            {
                LogMessageRefused(logger, e, message.Room, message.Seq);
                metrics.Rejected(1);
            }
        }

        return stored;
    }

    private async Task<int> StoreAsync(
        IReadOnlyCollection<StoredMessage> messages, IReadOnlyDictionary<Guid, string> traceParents, CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<MessageStore>().StoreAsync(messages, cancellationToken, traceParents);
    }

    private static Activity? StartConsumeActivity(HandoffEntry entry)
    {
        // The span continues the trace of the send that produced the entry.
        ActivityContext.TryParse(entry.TraceParent, null, out var parent);
        var current = Activity.Current;
        var activity = PersistenceMetrics.ActivitySource.StartActivity("handoff receive", ActivityKind.Consumer, parent);
        // Siblings, not a chain: the next entry's span must not become this one's child.
        Activity.Current = current;
        if (activity is { IsAllDataRequested: true })
        {
            // Only for a span that is recorded: a sampled-out one just carries the trace on.
            activity.SetTag("messaging.system", "redis");
            activity.SetTag("messaging.destination.name", RedisSchema.Handoff(entry.Partition));
            activity.SetTag("messaging.consumer.group.name", RedisSchema.HandoffConsumerGroup);
            activity.SetTag("messaging.message.id", entry.Id.ToString());
        }

        return activity;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    [LoggerMessage(LogLevel.Warning, "The hand-off consumer group is gone; creating it again")]
    private static partial void LogGroupGone(ILogger logger);

    [LoggerMessage(LogLevel.Warning, "Persisting hand-off entries failed; retrying in {Delay}")]
    private static partial void LogPersistFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(LogLevel.Information, "Took over {Count} hand-off entries left pending by another consumer")]
    private static partial void LogClaimed(ILogger logger, int count);

    [LoggerMessage(LogLevel.Information, "Removed {Count} idle consumers from the hand-off group")]
    private static partial void LogIdleConsumersRemoved(ILogger logger, int count);

    [LoggerMessage(LogLevel.Error, "Dropping {Count} malformed hand-off entries, first {Id}")]
    private static partial void LogMalformedDropped(ILogger logger, int count, RedisValue id);

    [LoggerMessage(LogLevel.Error, "PostgreSQL refused a batch of {Count} messages; storing them one by one")]
    private static partial void LogBatchRefused(ILogger logger, Exception exception, int count);

    [LoggerMessage(LogLevel.Warning, "Storing {Count} messages failed; retrying in {Delay}")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, int count, TimeSpan delay);

    [LoggerMessage(LogLevel.Error, "Dropping message {Room}/{Seq}: PostgreSQL refused it")]
    private static partial void LogMessageRefused(ILogger logger, Exception exception, string room, long seq);
}
