namespace RealtimeAspire.AuthService;

/// <summary>AuthService's settings (section <c>Auth</c>; issuer and audience are <see cref="JwtAuthenticationOptions"/>).</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>How often long-expired refresh tokens are deleted from authdb.</summary>
    public TimeSpan RefreshTokenPurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The secret that seals the signing keys' private parts in authdb. Given by the AppHost as a secret
    /// parameter; every replica needs the same one.
    /// </summary>
    public string? KeyEncryptionKey { get; set; }

    /// <summary>Where <see cref="KeyEncryptionKey"/> comes from (the AppHost names its file), so a mismatch says what to restore.</summary>
    public string KeyEncryptionKeySource { get; set; } = "Auth:KeyEncryptionKey";

    /// <summary>The secret an operator presents (header <c>X-Operator-Key</c>) to rotate the signing key. Unset: rotation over HTTP is off.</summary>
    public string? OperatorKey { get; set; }

    /// <summary>
    /// How long a retired key stays in the JWKS beyond <see cref="AccessTokenLifetime"/>: covers the validators'
    /// clock skew and a token signed just as the key was retired.
    /// </summary>
    public TimeSpan RetiredKeyGrace { get; set; } = TimeSpan.FromMinutes(2);

    public LoginThrottleOptions Login { get; set; } = new();

    /// <summary>Networks (CIDR) of reverse proxies whose X-Forwarded-For is believed; loopback always is.</summary>
    public List<string> TrustedProxyNetworks { get; set; } = [];
}

/// <summary>Failed logins allowed per account and per client address within one window, counted in Redis.</summary>
public sealed class LoginThrottleOptions
{
    public int MaxFailuresPerAccount { get; set; } = 5;

    public int MaxFailuresPerAddress { get; set; } = 30;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);
}
