using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using RealtimeAspire.AuthService;
using RealtimeAspire.AuthService.Data;
using RealtimeAspire.AuthService.Tokens;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Auth;

/// <summary>
/// AuthService's signing keys against a database of their own (on the fixture's PostgreSQL) and a clock of
/// their own: sealed at rest, shared through authdb, rotated, and published exactly as long as needed.
/// </summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class SigningKeyStoreTests(RealtimeAppFixture fixture) : IAsyncLifetime
{
    private const string Secret = "the-key-encryption-secret-of-this-test";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly ManualClock _clock = new();
    private readonly AuthOptions _options = new()
    {
        KeyEncryptionKey = Secret,
        AccessTokenLifetime = TimeSpan.FromMinutes(15),
        RetiredKeyGrace = TimeSpan.FromMinutes(2),
    };
    private ScratchAuthDatabase _database = null!;

    public async Task InitializeAsync() => _database = await ScratchAuthDatabase.CreateAsync(fixture, "authkeys");

    public Task DisposeAsync() => _database.DropAsync();

    [Fact]
    public async Task A_retired_key_stays_published_until_the_tokens_it_signed_have_expired()
    {
        var store = NewStore();
        await store.EnsureSigningKeyAsync(CancellationToken.None).WaitAsync(Timeout);
        var first = (await store.GetSigningCredentialsAsync(CancellationToken.None)).Key.KeyId;

        _clock.Advance(TimeSpan.FromMinutes(1));
        var second = await NewStore().RotateAsync(CancellationToken.None).WaitAsync(Timeout);

        Assert.NotEqual(first, second);
        Assert.Equal(second, (await NewStore().GetSigningCredentialsAsync(CancellationToken.None)).Key.KeyId);
        Assert.Equal([second, first], await PublishedAsync());

        _clock.Advance(_options.AccessTokenLifetime + _options.RetiredKeyGrace - TimeSpan.FromSeconds(1));
        Assert.Equal([second, first], await PublishedAsync());

        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal([second], await PublishedAsync());
    }

    [Fact]
    public async Task A_retired_key_keeps_only_its_public_part()
    {
        await NewStore().EnsureSigningKeyAsync(CancellationToken.None).WaitAsync(Timeout);
        await NewStore().RotateAsync(CancellationToken.None).WaitAsync(Timeout);

        await using var db = _database.NewContext();
        var keys = await db.SigningKeys.AsNoTracking().ToListAsync();
        Assert.Single(keys, key => key.RetiredAt is null && key.EncryptedPrivateKey is not null);
        Assert.Single(keys, key => key.RetiredAt is not null && key.EncryptedPrivateKey is null);
    }

    [Fact]
    public async Task Another_process_with_the_same_secret_signs_with_the_same_key_and_its_signatures_verify_with_the_published_key()
    {
        await NewStore().EnsureSigningKeyAsync(CancellationToken.None).WaitAsync(Timeout);
        var published = SigningKeyStore.ToJwk((await NewStore().GetPublishedAsync(CancellationToken.None)).Single());

        // A new store with an empty cache is what a restarted or second replica has.
        var credentials = await NewStore().GetSigningCredentialsAsync(CancellationToken.None).WaitAsync(Timeout);
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor { Issuer = "i", Audience = "a", SigningCredentials = credentials });
        var jwk = new JsonWebKey(System.Text.Json.JsonSerializer.Serialize(published, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)));
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = "i", ValidAudience = "a", IssuerSigningKey = jwk, ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        });

        Assert.Equal(published.Kid, credentials.Key.KeyId);
        Assert.True(validation.IsValid, validation.Exception?.Message);
    }

    [Fact]
    public async Task Start_up_with_another_secret_fails_with_a_clear_message()
    {
        await NewStore().EnsureSigningKeyAsync(CancellationToken.None).WaitAsync(Timeout);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            NewStore(secret: "a-different-secret-given-by-mistake").EnsureSigningKeyAsync(CancellationToken.None).WaitAsync(Timeout));

        Assert.Contains("Auth:KeyEncryptionKey", failure.Message);
    }

    [Fact]
    public void A_sealed_key_opens_only_with_its_secret_and_its_key_id()
    {
        var encryption = new KeyEncryption(Options.Create(_options));
        var plaintext = RandomNumberGenerator.GetBytes(138);

        var sealedKey = encryption.Seal("kid-1", plaintext);
        var tampered = sealedKey.ToArray();
        tampered[^1] ^= 1;

        Assert.Equal(plaintext, encryption.Open("kid-1", sealedKey));
        Assert.False(sealedKey.AsSpan().IndexOf(plaintext.AsSpan(0, 16)) >= 0);
        Assert.ThrowsAny<CryptographicException>(() => encryption.Open("kid-2", sealedKey));
        Assert.ThrowsAny<CryptographicException>(() => encryption.Open("kid-1", tampered));
        Assert.ThrowsAny<CryptographicException>(() =>
            new KeyEncryption(Options.Create(new AuthOptions { KeyEncryptionKey = "another-secret-of-enough-length" })).Open("kid-1", sealedKey));
        Assert.Throws<InvalidOperationException>(() => new KeyEncryption(Options.Create(new AuthOptions())));
    }

    private async Task<List<string>> PublishedAsync() =>
        (await NewStore().GetPublishedAsync(CancellationToken.None).WaitAsync(Timeout)).Select(key => key.Id).ToList();

    private SigningKeyStore NewStore(string secret = Secret)
    {
        var options = Options.Create(new AuthOptions
        {
            KeyEncryptionKey = secret,
            AccessTokenLifetime = _options.AccessTokenLifetime,
            RetiredKeyGrace = _options.RetiredKeyGrace,
        });
        return new SigningKeyStore(_database.NewContext(), new KeyEncryption(options), new SigningKeyCache(), options, _clock);
    }
}
