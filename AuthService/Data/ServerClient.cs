namespace RealtimeAspire.AuthService.Data;

/// <summary>
/// An application backend allowed to call the server API (protocol.md §6) with the client-credentials grant. Its
/// secret is stored only as a hash, in the passwords' format; a revoked client keeps its row so its id is never reused.
/// </summary>
public sealed class ServerClient
{
    /// <summary>The <c>client_id</c>; its tokens' <c>sub</c> is <c>client:&lt;Id&gt;</c>.</summary>
    public required string Id { get; set; }

    /// <summary>The tokens' <c>name</c>, and the <c>username</c> of what the client publishes.</summary>
    public required string Name { get; set; }

    /// <summary>The scopes the client may be granted, space-separated.</summary>
    public required string Scopes { get; set; }

    /// <summary>ASP.NET Core Identity's PBKDF2 hash format, like <see cref="User.PasswordHash"/>.</summary>
    public required string SecretHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}
