namespace RealtimeAspire.AuthService.Clients;

/// <summary>
/// Server clients the operator declares in configuration (<c>ServerApi:Clients:N:Id</c>, <c>…:Secret</c>,
/// <c>…:Scopes</c>, <c>…:Name</c>; the AppHost passes its own <c>ServerApi:Clients</c> on), upserted at start-up.
/// </summary>
public sealed class DeclaredClientsOptions
{
    public const string SectionName = "ServerApi";

    public List<DeclaredClient> Clients { get; set; } = [];
}

public sealed class DeclaredClient
{
    public string? Id { get; set; }

    public string? Secret { get; set; }

    /// <summary>Space-separated, from <see cref="ServerScopes.All"/>.</summary>
    public string? Scopes { get; set; }

    /// <summary>Defaults to the id.</summary>
    public string? Name { get; set; }

    /// <summary>Why this declaration cannot be used, or null; start-up stops on the first one, naming it.</summary>
    public string? Problem(int index)
    {
        var key = $"ServerApi:Clients:{index}";
        if (!ClientIds.IsValid(Id))
        {
            return $"{key}:Id must be 1 to {ClientIds.MaxLength} characters of a-z, 0-9, '_', '.' and '-'.";
        }

        if (Secret is null || !ClientSecrets.IsValidSecret(Secret))
        {
            return $"{key}:Secret must be {ClientSecrets.MinLength} to {ClientSecrets.MaxLength} characters long.";
        }

        if (ClientScopes.Unknown(Scopes) is { Count: > 0 } unknown)
        {
            return $"{key}:Scopes names unknown scopes ({string.Join(' ', unknown)}); known: {string.Join(' ', ServerScopes.All)}.";
        }

        return Name is not null && !ClientIds.IsValidName(Name) ? $"{key}:Name must be 1 to {ClientIds.MaxNameLength} characters." : null;
    }
}
