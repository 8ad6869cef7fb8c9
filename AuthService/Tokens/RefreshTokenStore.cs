using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using RealtimeAspire.AuthService.Data;

namespace RealtimeAspire.AuthService.Tokens;

/// <summary>
/// Opaque refresh tokens: 32 random bytes, stored only as their SHA-256, single use. Exchanging one spends it
/// and issues the next of its family; showing a spent one again means a copy exists, so the family is revoked.
/// </summary>
public sealed partial class RefreshTokenStore(
    AuthDbContext db,
    IOptions<AuthOptions> options,
    TimeProvider timeProvider,
    ILogger<RefreshTokenStore> logger)
{
    /// <summary>Longer input is no token of ours; it is not even hashed.</summary>
    private const int MaxTokenLength = 128;

    /// <summary>Adds a token for <paramref name="userId"/> (to the context; the caller saves). A login starts a new family.</summary>
    public string Add(Guid userId, Guid familyId)
    {
        var token = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var now = timeProvider.GetUtcNow();
        db.RefreshTokens.Add(new RefreshToken
        {
            Id = Guid.CreateVersion7(),
            TokenHash = Hash(token),
            UserId = userId,
            FamilyId = familyId,
            CreatedAt = now,
            ExpiresAt = now + options.Value.RefreshTokenLifetime,
        });
        return token;
    }

    /// <summary>Spends <paramref name="token"/> and returns its user and the next token of its family, or null when it is refused.</summary>
    /// <summary>The user a refresh token belongs to, whatever its state; null if unknown.</summary>
    public async Task<Guid?> OwnerOfAsync(string token, CancellationToken cancellationToken)
    {
        var hash = Hash(token);
        return await db.RefreshTokens.AsNoTracking().Where(t => t.TokenHash == hash).Select(t => (Guid?)t.UserId)
            .SingleOrDefaultAsync(cancellationToken);
    }

    public async Task<(User User, string NextToken)?> ExchangeAsync(string token, CancellationToken cancellationToken)
    {
        if (token.Length is 0 or > MaxTokenLength)
        {
            return null;
        }

        var hash = Hash(token);
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var now = timeProvider.GetUtcNow();

            var stored = await db.RefreshTokens.AsNoTracking().SingleOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
            if (stored is null || stored.RevokedAt is not null || (stored.SpentAt is null && stored.ExpiresAt <= now))
            {
                return null;
            }

            // Spend it only if nobody did before: of two racing exchanges exactly one wins.
            var spent = stored.SpentAt is null && await db.RefreshTokens
                .Where(t => t.Id == stored.Id && t.SpentAt == null && t.RevokedAt == null)
                .ExecuteUpdateAsync(t => t.SetProperty(x => x.SpentAt, now), cancellationToken) == 1;

            if (!spent)
            {
                await db.RefreshTokens
                    .Where(t => t.FamilyId == stored.FamilyId && t.RevokedAt == null)
                    .ExecuteUpdateAsync(t => t.SetProperty(x => x.RevokedAt, now), cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                LogFamilyRevoked(logger, stored.FamilyId, stored.UserId);
                return null;
            }

            var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == stored.UserId, cancellationToken);
            var next = Add(user.Id, stored.FamilyId);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return ((User User, string NextToken)?)(user, next);
        });
    }

    /// <summary>
    /// Deletes the tokens that expired more than one refresh-token lifetime ago. A spent token is kept that long
    /// past its expiry so that showing it again still revokes its family; after that it is merely unknown (401).
    /// </summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken)
    {
        var expiredBefore = timeProvider.GetUtcNow() - options.Value.RefreshTokenLifetime;
        return await db.RefreshTokens.Where(t => t.ExpiresAt < expiredBefore).ExecuteDeleteAsync(cancellationToken);
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    [LoggerMessage(LogLevel.Warning, "A spent refresh token was presented again: family {FamilyId} of user {UserId} is revoked")]
    private static partial void LogFamilyRevoked(ILogger logger, Guid familyId, Guid userId);
}
