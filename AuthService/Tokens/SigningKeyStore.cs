using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using RealtimeAspire.AuthService.Data;

namespace RealtimeAspire.AuthService.Tokens;

/// <summary>
/// The ES256 signing keys, kept in authdb so that every replica signs with the same key and the key survives
/// restarts. The newest unretired key signs; rotation retires it, drops its private part and adds a new one.
/// </summary>
public sealed class SigningKeyStore(
    AuthDbContext db,
    KeyEncryption encryption,
    SigningKeyCache cache,
    IOptions<AuthOptions> options,
    TimeProvider timeProvider)
{
    public async Task<SigningCredentials> GetSigningCredentialsAsync(CancellationToken cancellationToken)
    {
        // Read on every issue, so a rotation by any replica takes effect at once everywhere.
        var current = await db.SigningKeys.AsNoTracking()
            .Where(key => key.RetiredAt == null && key.EncryptedPrivateKey != null)
            .OrderByDescending(key => key.CreatedAt)
            .FirstOrDefaultAsync(cancellationToken)
            ?? throw new InvalidOperationException("authdb holds no signing key; AuthService has not finished starting.");

        var privateKey = cache.GetOrLoad(current.Id, () => LoadPrivateKey(current));
        return new SigningCredentials(new ECDsaSecurityKey(privateKey) { KeyId = current.Id }, SecurityAlgorithms.EcdsaSha256);
    }

    /// <summary>The public keys to publish: every unretired key, and retired ones whose tokens may not have expired yet.</summary>
    public async Task<IReadOnlyList<SigningKey>> GetPublishedAsync(CancellationToken cancellationToken)
    {
        var oldestPublished = timeProvider.GetUtcNow() - PublishedAfterRetirement;
        return await db.SigningKeys.AsNoTracking()
            .Where(key => key.RetiredAt == null || key.RetiredAt > oldestPublished)
            .OrderByDescending(key => key.CreatedAt)
            .ToListAsync(cancellationToken);
    }

    /// <summary>Retires the signing key(s) in use and makes a new one the signing key. Returns the new key's id.</summary>
    public async Task<string> RotateAsync(CancellationToken cancellationToken)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var now = timeProvider.GetUtcNow();

            await db.SigningKeys
                .Where(key => key.RetiredAt == null)
                .ExecuteUpdateAsync(key => key
                    .SetProperty(k => k.RetiredAt, now)
                    .SetProperty(k => k.EncryptedPrivateKey, (byte[]?)null), cancellationToken);

            // Keys whose tokens have all expired are of no use to anyone.
            var expiredBefore = now - PublishedAfterRetirement;
            await db.SigningKeys.Where(key => key.RetiredAt < expiredBefore).ExecuteDeleteAsync(cancellationToken);

            var created = CreateKey(now);
            db.SigningKeys.Add(created);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return created.Id;
        });
    }

    /// <summary>At start-up: makes a first key if there is none, and proves the current one can be unsealed with the configured secret.</summary>
    public async Task EnsureSigningKeyAsync(CancellationToken cancellationToken)
    {
        var hasKey = await db.SigningKeys.AnyAsync(key => key.RetiredAt == null && key.EncryptedPrivateKey != null, cancellationToken);
        if (!hasKey)
        {
            db.SigningKeys.Add(CreateKey(timeProvider.GetUtcNow()));
            await db.SaveChangesAsync(cancellationToken);
        }

        try
        {
            await GetSigningCredentialsAsync(cancellationToken);
        }
        catch (CryptographicException e)
        {
            throw new InvalidOperationException(
                $"The signing key in authdb cannot be unsealed with Auth:KeyEncryptionKey from {options.Value.KeyEncryptionKeySource}: "
                + "the secret differs from the one it was sealed with. Restore that secret as it was when authdb was made, "
                + "or delete the rows of signing_keys (or the whole data folder) to start with a new key (every token issued so far becomes invalid).", e);
        }
    }

    private TimeSpan PublishedAfterRetirement => options.Value.AccessTokenLifetime + options.Value.RetiredKeyGrace;

    private SigningKey CreateKey(DateTimeOffset now)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var keyId = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(12));
        return new SigningKey
        {
            Id = keyId,
            PublicKey = ecdsa.ExportSubjectPublicKeyInfo(),
            EncryptedPrivateKey = encryption.Seal(keyId, ecdsa.ExportPkcs8PrivateKey()),
            CreatedAt = now,
        };
    }

    private ECDsa LoadPrivateKey(SigningKey key)
    {
        var pkcs8 = encryption.Open(key.Id, key.EncryptedPrivateKey!);
        try
        {
            var ecdsa = ECDsa.Create();
            ecdsa.ImportPkcs8PrivateKey(pkcs8, out _);
            return ecdsa;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    /// <summary>A public key as a JWK of the JWKS.</summary>
    public static JsonWebKeyDto ToJwk(SigningKey key)
    {
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(key.PublicKey, out _);
        var point = ecdsa.ExportParameters(includePrivateParameters: false).Q;
        return new JsonWebKeyDto("EC", "sig", JwtAuthenticationOptions.Algorithm, key.Id, "P-256",
            Base64UrlEncoder.Encode(point.X), Base64UrlEncoder.Encode(point.Y));
    }
}

public sealed record JsonWebKeyDto(string Kty, string Use, string Alg, string Kid, string Crv, string X, string Y);

/// <summary>Unsealed private keys by id, so a key is unsealed once per process.</summary>
public sealed class SigningKeyCache
{
    private readonly ConcurrentDictionary<string, Lazy<ECDsa>> _keys = new();

    public ECDsa GetOrLoad(string keyId, Func<ECDsa> load) =>
        _keys.GetOrAdd(keyId, _ => new Lazy<ECDsa>(load)).Value;
}
