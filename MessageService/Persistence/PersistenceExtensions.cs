using Microsoft.Extensions.DependencyInjection.Extensions;
using RealtimeAspire.MessageService.Data;

namespace RealtimeAspire.MessageService.Persistence;

public static class PersistenceExtensions
{
    /// <summary>
    /// The messages database (migrated at start-up) and the hand-off consumer that fills it.
    /// Kept apart from the HTTP side so that a second consumer can run in any host (the tests run one).
    /// </summary>
    public static IHostApplicationBuilder AddMessagePersistence(this IHostApplicationBuilder builder)
    {
        // No Redis command spans here: nearly all of this service's commands are the consumer's polling (XREADGROUP on
        // 16 streams ten times a second, XAUTOCLAIM, the backlog's XLEN and XRANGE), outside any span, so each was a
        // trace of its own that said nothing, and together most of what the dashboard had to ingest (docs/observability.md).
        // A batch's acknowledgement is timed by its `messages persist` span and the store-duration metric.
        builder.AddRedisClient("redis", settings => settings.DisableTracing = true);
        builder.AddNpgsqlDbContext<MessagesDbContext>("messagesdb");

        builder.Services.AddOptions<PersistenceOptions>().BindConfiguration(PersistenceOptions.SectionName);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<PersistenceMetrics>();
        builder.Services.AddScoped<MessageStore>();

        // Order matters: hosted services start in turn, so the schema is current before the consumer reads.
        builder.Services.AddHostedService<DatabaseMigrator>();
        builder.Services.AddHostedService<HandoffConsumer>();
        builder.Services.AddHostedService<BacklogMonitor>();

        builder.AddServiceMeter(PersistenceMetrics.MeterName);
        builder.AddServiceActivitySource(PersistenceMetrics.MeterName);
        return builder;
    }
}
