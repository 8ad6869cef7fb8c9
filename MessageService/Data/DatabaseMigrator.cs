using Microsoft.EntityFrameworkCore;

namespace RealtimeAspire.MessageService.Data;

/// <summary>
/// Applies the EF Core migrations while the host starts: hosted services start before Kestrel,
/// so /health answers (and the consumer reads) only once the schema is current.
/// Several replicas may migrate at once; EF Core's migration lock serialises them.
/// </summary>
public sealed partial class DatabaseMigrator(IServiceScopeFactory scopeFactory, ILogger<DatabaseMigrator> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagesDbContext>();

        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(() => db.Database.MigrateAsync(cancellationToken));

        LogMigrated(logger);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Information, "The messages database is migrated")]
    private static partial void LogMigrated(ILogger logger);
}
