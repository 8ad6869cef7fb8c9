using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RealtimeAspire.AuthService;
using RealtimeAspire.AuthService.Data;
using RealtimeAspire.AuthService.Tokens;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Auth;

/// <summary>
/// The purge of refresh tokens, against a database of its own (on the fixture's PostgreSQL) and a clock of its
/// own: what nobody can use any more goes, and a spent token is kept long enough to still catch its replay.
/// </summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class RefreshTokenPurgeTests(RealtimeAppFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(14);

    private readonly ManualClock _clock = new();
    private ScratchAuthDatabase _database = null!;

    public async Task InitializeAsync() => _database = await ScratchAuthDatabase.CreateAsync(fixture, "authpurge");

    public Task DisposeAsync() => _database.DropAsync();

    [Fact]
    public async Task Tokens_expired_for_more_than_a_lifetime_are_deleted_and_younger_ones_kept()
    {
        var user = await AddUserAsync();
        var old = await AddTokenAsync(user);
        _clock.Advance(Lifetime + TimeSpan.FromDays(1));
        var recentlyExpired = await AddTokenAsync(user);
        _clock.Advance(Lifetime + TimeSpan.FromDays(1));
        var live = await AddTokenAsync(user);

        // Now: old expired 15 days ago, recentlyExpired 1 day ago, live expires in 14 days.
        _clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        var purged = await NewStore().PurgeAsync(CancellationToken.None).WaitAsync(Timeout);

        var stored = await StoredTokenIdsAsync();
        Assert.Equal(1, purged);
        Assert.DoesNotContain(old.Id, stored);
        Assert.Equal(new[] { recentlyExpired.Id, live.Id }.Order(), stored.Order());
    }

    [Fact]
    public async Task A_spent_token_shown_again_after_it_expired_but_before_the_purge_still_revokes_its_family()
    {
        var user = await AddUserAsync();
        var first = await AddTokenAsync(user);
        Assert.NotNull(await NewStore().ExchangeAsync(first.Token, CancellationToken.None).WaitAsync(Timeout));
        _clock.Advance(Lifetime + TimeSpan.FromDays(1));
        var purged = await NewStore().PurgeAsync(CancellationToken.None).WaitAsync(Timeout);

        var replay = await NewStore().ExchangeAsync(first.Token, CancellationToken.None).WaitAsync(Timeout);

        await using var db = _database.NewContext();
        var family = await db.RefreshTokens.ToListAsync().WaitAsync(Timeout);
        Assert.Equal(0, purged);
        Assert.Null(replay);
        Assert.Equal(2, family.Count);
        Assert.All(family, token => Assert.NotNull(token.RevokedAt));
    }

    private async Task<Guid> AddUserAsync()
    {
        await using var db = _database.NewContext();
        var user = new User { Id = Guid.CreateVersion7(), Username = $"p{Guid.NewGuid():N}"[..20], PasswordHash = "x", CreatedAt = _clock.GetUtcNow() };
        db.Users.Add(user);
        await db.SaveChangesAsync().WaitAsync(Timeout);
        return user.Id;
    }

    private async Task<(Guid Id, string Token)> AddTokenAsync(Guid userId)
    {
        await using var db = _database.NewContext();
        var token = NewStore(db).Add(userId, familyId: Guid.CreateVersion7());
        await db.SaveChangesAsync().WaitAsync(Timeout);
        var id = db.ChangeTracker.Entries<RefreshToken>().Single().Entity.Id;
        return (id, token);
    }

    private async Task<List<Guid>> StoredTokenIdsAsync()
    {
        await using var db = _database.NewContext();
        return await db.RefreshTokens.Select(t => t.Id).ToListAsync().WaitAsync(Timeout);
    }

    private RefreshTokenStore NewStore(AuthDbContext? db = null) => new(
        db ?? _database.NewContext(),
        Options.Create(new AuthOptions { RefreshTokenLifetime = Lifetime }),
        _clock,
        NullLogger<RefreshTokenStore>.Instance);
}
