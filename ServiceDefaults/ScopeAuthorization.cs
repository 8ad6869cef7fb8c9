using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using RealtimeAspire.Contracts;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The one way an endpoint asks for a server-API scope: <c>group.RequireScope(ServerScopes.RoomsPublish)</c>.
/// A token without the scope gets 403; without a valid token, 401 (the JWT path's challenge).
/// </summary>
public static class ScopeAuthorizationExtensions
{
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(policy => policy.RequireAuthenticatedUser().RequireAssertion(context => HasScope(context, scope)));

    private static bool HasScope(AuthorizationHandlerContext context, string scope) =>
        ServerClients.IsClient(context.User.FindFirst(AccessTokenClaims.UserId)?.Value)
        && context.User.FindAll(AccessTokenClaims.Scope)
            .SelectMany(claim => claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Contains(scope, StringComparer.Ordinal);
}
