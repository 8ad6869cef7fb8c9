namespace Microsoft.Extensions.Hosting;

/// <summary>
/// How every service validates access tokens (configuration section <c>Auth</c>). AuthService issues its
/// tokens with the same <see cref="Issuer"/> and <see cref="Audience"/>, so the defaults work everywhere.
/// </summary>
public sealed class JwtAuthenticationOptions
{
    public const string SectionName = "Auth";

    public const string DefaultIssuer = "realtime-aspire";
    public const string DefaultAudience = "realtime-aspire";

    /// <summary>The only signing algorithm accepted.</summary>
    public const string Algorithm = "ES256";

    public string Issuer { get; set; } = DefaultIssuer;

    public string Audience { get; set; } = DefaultAudience;

    /// <summary>AuthService's public signing keys, reached through service discovery.</summary>
    public Uri JwksUri { get; set; } = new("http://auth-service/api/auth/.well-known/jwks.json");

    /// <summary>Tolerance for clocks that disagree a little when checking <c>exp</c> and <c>nbf</c>.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a fetched key set is used before it is fetched again.</summary>
    public TimeSpan JwksCacheDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The least time between two fetches of the key set. A token with an unknown <c>kid</c> triggers a fetch
    /// (the key may just have been rotated), and this keeps forged <c>kid</c>s from hammering AuthService.
    /// </summary>
    public TimeSpan JwksMinimumRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one fetch of the key set may take.</summary>
    public TimeSpan JwksFetchTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the revoked subjects are reloaded whole, for a change message missed while Redis was away.</summary>
    public TimeSpan RevocationReloadInterval { get; set; } = TimeSpan.FromSeconds(30);
}
