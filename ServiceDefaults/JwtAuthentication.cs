using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using RealtimeAspire.Contracts;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The one way every service validates access tokens: JWT bearer against AuthService's JWKS, ES256 only,
/// issuer, audience and lifetime checked. <see cref="IAccessTokenValidator"/> applies the very same rules
/// to a raw token (the WebSocket <c>auth</c> frame).
/// </summary>
public static class JwtAuthenticationExtensions
{
    /// <summary>
    /// Where users open connections: their clients cannot set headers (browser WebSockets, SignalR), so they may send
    /// <c>access_token</c> in the query string; server clients may not connect there.
    /// </summary>
    private static readonly PathString[] ConnectionPaths = ["/ws", "/hub"];

    public static TBuilder AddJwtAuthentication<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;

        services.AddOptions<JwtAuthenticationOptions>().BindConfiguration(JwtAuthenticationOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(JwksSigningKeys.HttpClientName);
        services.TryAddSingleton<JwksSigningKeys>();
        services.TryAddSingleton<IAccessTokenValidator, JwtAccessTokenValidator>();
        services.AddProblemDetails();

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<JwksSigningKeys, IOptions<JwtAuthenticationOptions>>((bearer, keys, settings) =>
                ConfigureBearer(bearer, keys, settings.Value));
        // A plain RequireAuthorization() (the user API, the hub) is for users; server clients pass only RequireScope.
        services.AddAuthorizationBuilder().SetDefaultPolicy(new AuthorizationPolicyBuilder()
            .RequireAuthenticatedUser()
            .RequireAssertion(context => !ServerClients.IsClient(context.User.FindFirst(AccessTokenClaims.UserId)?.Value))
            .Build());

        return builder;
    }

    private static void ConfigureBearer(JwtBearerOptions bearer, JwksSigningKeys keys, JwtAuthenticationOptions settings)
    {
        // Keep the protocol's claim names (sub, name, jti) instead of mapping them to long URIs.
        bearer.MapInboundClaims = false;
        bearer.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidAudience = settings.Audience,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = settings.ClockSkew,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            // Only the key the token names: a token without a known kid has no key to be checked against.
            IssuerSigningKeyResolver = (_, _, keyId, _) => keys.Current.Where(key => key.KeyId == keyId),
            NameClaimType = AccessTokenClaims.Username,
        };

        bearer.Events = new JwtBearerEvents
        {
            OnMessageReceived = async context =>
            {
                context.Token = ReadToken(context.Request);
                if (context.Token is not null)
                {
                    // The resolver above is synchronous, so a rotated key is fetched here, before validation.
                    await keys.EnsureKeysForAsync(context.Token, context.HttpContext.RequestAborted);
                }
            },
            OnTokenValidated = context =>
            {
                // A client token is refused where connections open, like an invalid one (401; a /ws frame closes 4401).
                if (IsConnectionPath(context.Request) && ServerClients.IsClient(context.Principal?.FindFirst(AccessTokenClaims.UserId)?.Value))
                {
                    context.Fail("Server client tokens cannot open connections.");
                }

                return Task.CompletedTask;
            },
            OnChallenge = async context =>
            {
                context.HandleResponse();
                if (context.Response.HasStarted)
                {
                    return;
                }

                var invalidToken = context.AuthenticateFailure is not null;
                context.Response.Headers.WWWAuthenticate = invalidToken ? "Bearer error=\"invalid_token\"" : "Bearer";
                // TryWrite: a client that accepts no JSON still gets its 401 (with an empty body if no writer takes it).
                await ProblemResponsesExtensions.TryWriteProblemAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Unauthorized",
                    invalidToken ? "The access token is invalid or has expired." : "An access token is required.");
            },
        };
    }

    /// <summary>The bearer token of the Authorization header, else, for WebSocket and SignalR paths, the access_token query parameter.</summary>
    private static string? ReadToken(HttpRequest request)
    {
        string? authorization = request.Headers.Authorization;
        if (!string.IsNullOrEmpty(authorization))
        {
            const string scheme = "Bearer ";
            return authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
                ? NullIfEmpty(authorization[scheme.Length..].Trim())
                : null;
        }

        return IsConnectionPath(request) ? NullIfEmpty(request.Query["access_token"].ToString()) : null;
    }

    private static bool IsConnectionPath(HttpRequest request) => ConnectionPaths.Any(path => request.Path.StartsWithSegments(path));

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}

/// <summary>Validates a raw token with the JWT bearer scheme's own handlers and parameters.</summary>
internal sealed class JwtAccessTokenValidator(IOptionsMonitor<JwtBearerOptions> bearerOptions, JwksSigningKeys keys) : IAccessTokenValidator
{
    private const string InvalidToken = "The access token is invalid.";

    public async Task<AccessTokenValidation> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            return AccessTokenValidation.Invalid("An access token is required.");
        }

        var options = bearerOptions.Get(JwtBearerDefaults.AuthenticationScheme);
        await keys.EnsureKeysForAsync(token, cancellationToken);

        // Like the bearer handler: the first of its token handlers that accepts the token wins.
        TokenValidationResult? result = null;
        foreach (var handler in options.TokenHandlers)
        {
            result = await handler.ValidateTokenAsync(token, options.TokenValidationParameters);
            if (result.IsValid)
            {
                break;
            }
        }

        if (result is not { IsValid: true })
        {
            return AccessTokenValidation.Invalid(
                result?.Exception is SecurityTokenExpiredException ? "The access token has expired." : InvalidToken);
        }

        var expiresAt = new DateTimeOffset(DateTime.SpecifyKind(result.SecurityToken.ValidTo, DateTimeKind.Utc));
        return AccessTokenValidation.Valid(new ClaimsPrincipal(result.ClaimsIdentity), expiresAt);
    }
}
