using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RealtimeAspire.AuthService.Accounts;
using RealtimeAspire.AuthService.Clients;
using RealtimeAspire.AuthService.Data;

namespace RealtimeAspire.AuthService;

public sealed record CreateClientRequest(string? Name, string? Scopes);

/// <summary>A client as the operator sees it: never its secret.</summary>
public sealed record ClientSummary(string ClientId, string Name, string Scopes, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

public sealed record ClientList(IReadOnlyList<ClientSummary> Clients);

/// <summary>
/// The operator's server clients (the dashboard commands and scripts/server-client.sh call these with the operator key);
/// <c>/internal</c> is not routed by the Gateway.
/// </summary>
public static class ClientsInternalApi
{
    public static RouteGroupBuilder MapClientsInternalApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/internal/clients").AddEndpointFilter<OperatorKeyFilter>();

        group.MapPost("", CreateAsync);
        group.MapGet("", ListAsync);
        group.MapPost("/{clientId}/revoke", RevokeAsync);

        return group;
    }

    /// <summary>Creates a client; the answer is the only place its secret is ever shown.</summary>
    public static async Task<Results<Created<CreatedClient>, ValidationProblem>> CreateAsync(
        CreateClientRequest request, ClientStore clients, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!ClientIds.IsValidName(request.Name))
        {
            errors["name"] = [$"A name of 1 to {ClientIds.MaxNameLength} characters is required."];
        }

        if (ClientScopes.Unknown(request.Scopes) is { Count: > 0 } unknown)
        {
            errors["scopes"] = [$"Unknown scopes: {string.Join(' ', unknown)}; known: {string.Join(' ', ServerScopes.All)}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid request");
        }

        var created = await clients.CreateAsync(request.Name!.Trim(), request.Scopes ?? "", cancellationToken);
        return TypedResults.Created($"/internal/clients/{created.ClientId}", created);
    }

    public static async Task<Ok<ClientList>> ListAsync(AuthDbContext db, CancellationToken cancellationToken)
    {
        var clients = await db.Clients.AsNoTracking().OrderBy(c => c.CreatedAt)
            .Select(c => new ClientSummary(c.Id, c.Name, c.Scopes, c.CreatedAt, c.RevokedAt)).ToListAsync(cancellationToken);
        return TypedResults.Ok(new ClientList(clients));
    }

    /// <summary>Revokes a client: no new tokens, and those it holds are refused everywhere within moments.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        string clientId, ClientStore clients, SubjectRevocations revocations, CancellationToken cancellationToken)
    {
        if (await clients.RevokeAsync(clientId, cancellationToken) is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Client not found");
        }

        await revocations.RevokeAsync(ServerClients.Subject(clientId), until: null);
        return TypedResults.NoContent();
    }
}
