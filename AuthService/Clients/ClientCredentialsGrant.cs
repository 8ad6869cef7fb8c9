using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using RealtimeAspire.AuthService.Data;
using RealtimeAspire.AuthService.Tokens;

namespace RealtimeAspire.AuthService.Clients;

/// <summary>The token endpoint's client-credentials answer (RFC 6749 §5.1 names).</summary>
public sealed record ClientTokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("scope")] string Scope);

/// <summary>
/// RFC 6749 §4.4: a server client trades its id and secret for an access token with the scopes it asked for (all of
/// its own when it names none). Errors are problems whose title, and <c>error</c> member, is the RFC's §5.2 code.
/// </summary>
public static partial class ClientCredentialsGrant
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidClient = "invalid_client";
    public const string InvalidScope = "invalid_scope";
    public const string UnsupportedGrantType = "unsupported_grant_type";

    public static async Task<Results<Ok<TokenResponse>, Ok<ClientTokenResponse>, ValidationProblem, ProblemHttpResult>> IssueAsync(
        TokenRequest request, HttpContext context, AuthDbContext db, ClientSecrets secrets, AccessTokenIssuer accessTokens,
        AuthMetrics metrics, ILogger logger, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.ClientId) || string.IsNullOrEmpty(request.ClientSecret))
        {
            return Error(StatusCodes.Status400BadRequest, InvalidRequest, "client_id and client_secret are required.");
        }

        var client = ClientIds.IsValid(request.ClientId)
            ? await db.Clients.AsNoTracking().SingleOrDefaultAsync(c => c.Id == request.ClientId, cancellationToken)
            : null;
        // Verified even for an unknown or revoked client, so neither answers faster than a wrong secret.
        var verification = secrets.Verify(client, request.ClientSecret);
        if (client is null || client.RevokedAt is not null || verification == PasswordVerificationResult.Failed)
        {
            LogClientRefused(logger);
            metrics.Login("client_failed");
            if (context.Request.Headers.Authorization.ToString().StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"realtime-aspire\"";
            }

            return Error(StatusCodes.Status401Unauthorized, InvalidClient, "The client is unknown, revoked, or its secret is wrong.");
        }

        if (ClientScopes.Grant(request.Scope, client.Scopes) is not { } granted)
        {
            return Error(StatusCodes.Status400BadRequest, InvalidScope, "The client is not allowed every scope it asked for.");
        }

        var token = await accessTokens.IssueForClientAsync(client, granted, cancellationToken);
        metrics.TokensIssued(TokenRequest.ClientCredentialsGrant);
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new ClientTokenResponse(token, "Bearer", (int)accessTokens.Lifetime.TotalSeconds, granted));
    }

    /// <summary>An RFC 6749 §5.2 error as a problem: its code is the title and the <c>error</c> member.</summary>
    public static ProblemHttpResult Error(int statusCode, string error, string description) =>
        TypedResults.Problem(statusCode: statusCode, title: error, detail: description,
            extensions: new Dictionary<string, object?> { ["error"] = error, ["error_description"] = description });

    [LoggerMessage(LogLevel.Information, "A client-credentials grant was refused")]
    private static partial void LogClientRefused(ILogger logger);
}
