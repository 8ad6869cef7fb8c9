using System.Security.Claims;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Validates an access token outside the ASP.NET Core authentication pipeline — for the in-band
/// <c>auth</c> frame of the WebSocket protocol — with exactly the rules the JWT bearer handler uses.
/// </summary>
public interface IAccessTokenValidator
{
    Task<AccessTokenValidation> ValidateAsync(string token, CancellationToken cancellationToken);
}

/// <summary>The outcome of validating an access token.</summary>
/// <param name="Principal">The token's identity when it is valid, else null.</param>
/// <param name="ExpiresAt">When the token stops being valid (its <c>exp</c>), when it is valid.</param>
/// <param name="Error">Why the token was refused; safe to send to the client (never echoes the token).</param>
/// <param name="IsRevoked">Refused because its subject is blocked or revoked (RevokedSubjects), not for the token itself.</param>
public sealed record AccessTokenValidation(ClaimsPrincipal? Principal, DateTimeOffset ExpiresAt, string? Error, bool IsRevoked = false)
{
    public bool IsValid => Principal is not null;

    public static AccessTokenValidation Valid(ClaimsPrincipal principal, DateTimeOffset expiresAt) => new(principal, expiresAt, null);

    public static AccessTokenValidation Invalid(string error) => new(null, default, error);

    public static AccessTokenValidation Revoked() => new(null, default, "The user is blocked or the client revoked.", IsRevoked: true);
}

/// <summary>The claim names of the protocol's access tokens.</summary>
public static class AccessTokenClaims
{
    public const string UserId = "sub";
    public const string Username = "name";
    public const string TokenId = "jti";

    /// <summary>A client token's granted scopes, space-separated (RFC 8693 §4.2); user tokens carry none.</summary>
    public const string Scope = "scope";
}
