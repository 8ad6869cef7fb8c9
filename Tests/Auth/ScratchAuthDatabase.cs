using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RealtimeAspire.AuthService.Data;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Auth;

/// <summary>
/// A database of one test class's own on the fixture's PostgreSQL, migrated as authdb is, so the class can use its
/// own clock and data without touching the running AuthService's; dropped at the end.
/// </summary>
public sealed class ScratchAuthDatabase
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly string _connectionString;

    private ScratchAuthDatabase(string connectionString) => _connectionString = connectionString;

    public static async Task<ScratchAuthDatabase> CreateAsync(RealtimeAppFixture fixture, string namePrefix)
    {
        var authDb = await fixture.App.GetConnectionStringAsync("authdb").AsTask().WaitAsync(Timeout);
        var database = new ScratchAuthDatabase(
            new NpgsqlConnectionStringBuilder(authDb) { Database = $"{namePrefix}_{Guid.NewGuid():N}" }.ConnectionString);
        await using var db = database.NewContext();
        await db.Database.MigrateAsync().WaitAsync(Timeout);
        return database;
    }

    public AuthDbContext NewContext() =>
        new(new DbContextOptionsBuilder<AuthDbContext>().UseNpgsql(_connectionString).UseLoggerFactory(NullLoggerFactory.Instance).Options);

    public async Task DropAsync()
    {
        await using var db = NewContext();
        await db.Database.EnsureDeletedAsync().WaitAsync(Timeout);
    }
}
