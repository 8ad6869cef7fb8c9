namespace RealtimeAspire.AuthService.Clients;

/// <summary>Scope strings as RFC 6749 §3.3 has them: space-separated, case-sensitive, order meaningless.</summary>
public static class ClientScopes
{
    public static IReadOnlyList<string> Parse(string? scopes) =>
        (scopes ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The scopes of <paramref name="scopes"/> that <see cref="ServerScopes"/> does not know.</summary>
    public static IReadOnlyList<string> Unknown(string? scopes) => Parse(scopes).Where(scope => !ServerScopes.All.Contains(scope)).ToList();

    /// <summary>
    /// What a token gets: every scope the client has when it asks for none, else exactly what it asked for if the
    /// client has all of it; null (invalid_scope) if it asked for one it does not have.
    /// </summary>
    public static string? Grant(string? requested, string allowed)
    {
        var allowedScopes = Parse(allowed);
        var requestedScopes = Parse(requested);
        if (requestedScopes.Count == 0)
        {
            return string.Join(' ', allowedScopes);
        }

        return requestedScopes.All(scope => allowedScopes.Contains(scope, StringComparer.Ordinal)) ? string.Join(' ', requestedScopes) : null;
    }

    /// <summary>The canonical form a client's scopes are stored in: known, distinct, in <see cref="ServerScopes.All"/>'s order.</summary>
    public static string Normalize(string? scopes)
    {
        var parsed = Parse(scopes);
        return string.Join(' ', ServerScopes.All.Where(parsed.Contains));
    }
}
