using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RealtimeAspire.AuthService.Accounts;
using RealtimeAspire.AuthService.Clients;
using RealtimeAspire.AuthService.Tokens;

namespace RealtimeAspire.AuthService.Data;

/// <summary>
/// Applies authdb's migrations (inside the execution strategy, so a database still starting is retried) and
/// makes sure a signing key exists and the declared server clients are in authdb. Until it has finished, the service reports unhealthy and its API answers 503;
/// if it fails, the host stops.
/// </summary>
public sealed partial class AuthDatabaseInitializer(
    IServiceScopeFactory scopeFactory,
    Passwords passwords,
    ILogger<AuthDatabaseInitializer> logger) : BackgroundService, IHealthCheck
{
    private volatile bool _ready;

    public bool IsReady => _ready;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();

        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(() => db.Database.MigrateAsync(stoppingToken));
        await scope.ServiceProvider.GetRequiredService<SigningKeyStore>().EnsureSigningKeyAsync(stoppingToken);
        await scope.ServiceProvider.GetRequiredService<ClientStore>().UpsertDeclaredAsync(stoppingToken);
        passwords.Warm();

        _ready = true;
        LogReady(logger);
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_ready
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("authdb migrations and signing key not ready yet"));

    [LoggerMessage(LogLevel.Information, "authdb is migrated and a signing key is ready")]
    private static partial void LogReady(ILogger logger);
}
