using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace RealtimeAspire.AuthService.Tokens;

/// <summary>
/// Seals the signing keys' private parts for storage in authdb with AES-256-GCM, under a key derived from
/// <see cref="AuthOptions.KeyEncryptionKey"/>. The key id is authenticated too, so a sealed key cannot be moved to another row.
/// </summary>
public sealed class KeyEncryption
{
    private const byte FormatVersion = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] _key;

    public KeyEncryption(IOptions<AuthOptions> options)
    {
        var secret = options.Value.KeyEncryptionKey;
        if (string.IsNullOrEmpty(secret) || secret.Length < 16)
        {
            throw new InvalidOperationException(
                "Auth:KeyEncryptionKey is not set (or shorter than 16 characters). The AppHost passes it as the secret parameter 'auth-key-encryption-key'.");
        }

        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32,
            salt: [], info: "realtime-aspire/signing-keys/v1"u8.ToArray());
    }

    public byte[] Seal(string keyId, ReadOnlySpan<byte> plaintext)
    {
        var sealedKey = new byte[1 + NonceSize + TagSize + plaintext.Length];
        sealedKey[0] = FormatVersion;
        var nonce = sealedKey.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);

        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, sealedKey.AsSpan(1 + NonceSize + TagSize), sealedKey.AsSpan(1 + NonceSize, TagSize),
            Encoding.UTF8.GetBytes(keyId));
        return sealedKey;
    }

    /// <exception cref="CryptographicException">The data was sealed under another secret or altered.</exception>
    public byte[] Open(string keyId, ReadOnlySpan<byte> sealedKey)
    {
        if (sealedKey.Length < 1 + NonceSize + TagSize || sealedKey[0] != FormatVersion)
        {
            throw new CryptographicException($"Signing key {keyId} is not in a known sealed format.");
        }

        var plaintext = new byte[sealedKey.Length - 1 - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(sealedKey.Slice(1, NonceSize), sealedKey[(1 + NonceSize + TagSize)..], sealedKey.Slice(1 + NonceSize, TagSize),
            plaintext, Encoding.UTF8.GetBytes(keyId));
        return plaintext;
    }
}
