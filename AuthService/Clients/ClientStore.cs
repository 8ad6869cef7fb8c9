using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RealtimeAspire.AuthService.Data;

namespace RealtimeAspire.AuthService.Clients;

/// <summary>A newly created client: the only time its secret is seen.</summary>
public sealed record CreatedClient(string ClientId, string Name, string Scopes, string ClientSecret);

/// <summary>Creates, revokes and upserts server clients in authdb.</summary>
public sealed partial class ClientStore(
    AuthDbContext db,
    ClientSecrets secrets,
    IOptions<DeclaredClientsOptions> declared,
    TimeProvider timeProvider,
    ILogger<ClientStore> logger)
{
    public async Task<CreatedClient> CreateAsync(string name, string scopes, CancellationToken cancellationToken)
    {
        var secret = ClientSecrets.Generate();
        var client = new ServerClient
        {
            Id = ClientIds.NewId(name),
            Name = name,
            Scopes = ClientScopes.Normalize(scopes),
            SecretHash = "",
            CreatedAt = timeProvider.GetUtcNow(),
        };
        client.SecretHash = secrets.Hash(client, secret);
        db.Clients.Add(client);
        await db.SaveChangesAsync(cancellationToken);
        LogCreated(logger, client.Id, client.Scopes);
        return new CreatedClient(client.Id, client.Name, client.Scopes, secret);
    }

    /// <summary>Marks the client revoked; false if there is no such client. Revoking twice keeps the first time.</summary>
    public async Task<ServerClient?> RevokeAsync(string clientId, CancellationToken cancellationToken)
    {
        var client = await db.Clients.SingleOrDefaultAsync(c => c.Id == clientId, cancellationToken);
        if (client is null)
        {
            return null;
        }

        client.RevokedAt ??= timeProvider.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        LogRevoked(logger, client.Id);
        return client;
    }

    public Task<List<ServerClient>> ListRevokedAsync(CancellationToken cancellationToken) =>
        db.Clients.AsNoTracking().Where(c => c.RevokedAt != null).ToListAsync(cancellationToken);

    /// <summary>
    /// Makes the declared clients exist with their scopes, name and secret (re-hashed only when it changed). A
    /// declared client the operator revoked stays revoked.
    /// </summary>
    public async Task UpsertDeclaredAsync(CancellationToken cancellationToken)
    {
        var clients = declared.Value.Clients;
        for (var i = 0; i < clients.Count; i++)
        {
            if (clients[i].Problem(i) is { } problem)
            {
                throw new InvalidOperationException(problem);
            }
        }

        foreach (var declaredClient in clients)
        {
            var client = await db.Clients.SingleOrDefaultAsync(c => c.Id == declaredClient.Id, cancellationToken);
            if (client is null)
            {
                client = new ServerClient
                {
                    Id = declaredClient.Id!, Name = "", Scopes = "", SecretHash = "", CreatedAt = timeProvider.GetUtcNow(),
                };
                db.Clients.Add(client);
            }

            client.Name = declaredClient.Name ?? declaredClient.Id!;
            client.Scopes = ClientScopes.Normalize(declaredClient.Scopes);
            if (client.SecretHash.Length == 0 || secrets.Verify(client, declaredClient.Secret!) != PasswordVerificationResult.Success)
            {
                client.SecretHash = secrets.Hash(client, declaredClient.Secret!);
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        if (clients.Count > 0)
        {
            LogDeclared(logger, clients.Count);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Server client {ClientId} created with scopes {Scopes}")]
    private static partial void LogCreated(ILogger logger, string clientId, string scopes);

    [LoggerMessage(LogLevel.Warning, "Server client {ClientId} revoked")]
    private static partial void LogRevoked(ILogger logger, string clientId);

    [LoggerMessage(LogLevel.Information, "{Count} declared server clients are up to date")]
    private static partial void LogDeclared(ILogger logger, int count);
}
