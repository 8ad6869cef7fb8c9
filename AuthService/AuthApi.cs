using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using RealtimeAspire.AuthService.Accounts;
using RealtimeAspire.AuthService.Clients;
using RealtimeAspire.AuthService.Data;
using RealtimeAspire.AuthService.Tokens;

namespace RealtimeAspire.AuthService;

public sealed record RegisterRequest(string? Username, string? Password);

public sealed record RefreshRequest(string? RefreshToken);

public sealed record UserResponse(string UserId, string Username);

public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, string RefreshToken);

public sealed record JsonWebKeySetResponse(IReadOnlyList<JsonWebKeyDto> Keys);

/// <summary>Accounts and tokens: the public API, routed by the Gateway. Problems never echo a password or a token.</summary>
public static partial class AuthApi
{
    public static RouteGroupBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").AddEndpointFilter<NotReadyFilter>();

        group.MapPost("/register", RegisterAsync);
        // One endpoint for both grants; TokenRequest binds a JSON or a form body itself.
        group.MapPost("/token", IssueTokenAsync).Accepts<TokenRequest>("application/json", TokenRequest.FormContentType);
        group.MapPost("/refresh", RefreshAsync);
        group.MapGet("/.well-known/jwks.json", GetJsonWebKeySetAsync);

        return group;
    }

    public static async Task<Results<Created<UserResponse>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        RegisterRequest request, AuthDbContext db, Passwords passwords, TimeProvider timeProvider, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Username is null || !Usernames.IsValid(request.Username))
        {
            errors["username"] = ["Username must be 3 to 32 characters of a-z, 0-9 and _."];
        }

        if (request.Password is null || !Passwords.IsValidPassword(request.Password))
        {
            errors["password"] = [$"Password must be {Passwords.MinLength} to {Passwords.MaxLength} characters long."];
        }

        if (errors.Count > 0)
        {
            return InvalidRequest(errors);
        }

        // Checked first so that the usual case is no failed INSERT in the logs; the unique index settles races.
        if (await db.Users.AnyAsync(u => u.Username == request.Username, cancellationToken))
        {
            return UsernameTaken();
        }

        var user = new User
        {
            Id = Guid.CreateVersion7(),
            Username = request.Username!,
            PasswordHash = "",
            CreatedAt = timeProvider.GetUtcNow(),
        };
        user.PasswordHash = passwords.Hash(user, request.Password!);
        db.Users.Add(user);

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return UsernameTaken();
        }

        LogRegistered(loggers.CreateLogger(typeof(AuthApi)), user.Id, user.Username);
        // No Location: an account has no public resource, and the internal lookup is not routed by the Gateway.
        return TypedResults.Created((string?)null, new UserResponse(user.Id.ToString(), user.Username));
    }

    /// <summary>A user's login (v1: JSON without grant_type, or grant_type=password) or a client-credentials grant.</summary>
    public static async Task<Results<Ok<TokenResponse>, Ok<ClientTokenResponse>, ValidationProblem, ProblemHttpResult>> IssueTokenAsync(
        TokenRequest request, HttpContext context, AuthDbContext db, Passwords passwords, ClientSecrets secrets, LoginThrottle throttle,
        AccessTokenIssuer accessTokens, RefreshTokenStore refreshTokens, AuthMetrics metrics, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        switch (request.GrantType)
        {
            case TokenRequest.ClientCredentialsGrant:
                return await ClientCredentialsGrant.IssueAsync(request, context, db, secrets, accessTokens, metrics,
                    loggers.CreateLogger(typeof(ClientCredentialsGrant)), cancellationToken);
            case null or TokenRequest.PasswordGrant:
                return await LoginAsync(request, context, db, passwords, throttle, accessTokens, refreshTokens, metrics, loggers, cancellationToken);
            default:
                return ClientCredentialsGrant.Error(StatusCodes.Status400BadRequest, ClientCredentialsGrant.UnsupportedGrantType,
                    "grant_type must be client_credentials or password.");
        }
    }

    private static async Task<Results<Ok<TokenResponse>, Ok<ClientTokenResponse>, ValidationProblem, ProblemHttpResult>> LoginAsync(
        TokenRequest request, HttpContext context, AuthDbContext db, Passwords passwords, LoginThrottle throttle,
        AccessTokenIssuer accessTokens, RefreshTokenStore refreshTokens, AuthMetrics metrics, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (request.Username is null || request.Password is null)
        {
            return InvalidRequest(new() { ["credentials"] = ["Both username and password are required."] });
        }

        // A name no account can have is still checked against a hash, and still counted against the address.
        var username = Usernames.IsValid(request.Username) ? request.Username : null;
        var attempt = await throttle.BeginAsync(username, ClientAddress.Of(context));
        if (attempt.IsThrottled)
        {
            metrics.Login("throttled");
            context.Response.Headers.RetryAfter = Math.Ceiling(attempt.RetryAfter.TotalSeconds).ToString("0");
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many failed logins",
                detail: "Too many failed logins for this account or from this address; try again later.");
        }

        var user = username is null ? null : await db.Users.SingleOrDefaultAsync(u => u.Username == username, cancellationToken);
        var verification = passwords.Verify(user, request.Password);
        if (user is null || verification == PasswordVerificationResult.Failed)
        {
            LogLoginFailed(loggers.CreateLogger(typeof(AuthApi)));
            metrics.Login("failed");
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Invalid credentials",
                detail: "The username or password is wrong.");
        }

        await throttle.SucceededAsync(attempt);
        if (verification == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = passwords.Hash(user, request.Password);
        }

        var refreshToken = refreshTokens.Add(user.Id, familyId: Guid.CreateVersion7());
        await db.SaveChangesAsync(cancellationToken);
        var tokens = await TokenPairAsync(user, refreshToken, accessTokens, cancellationToken);
        metrics.Login("succeeded");
        metrics.TokensIssued("password");
        return TypedResults.Ok(tokens);
    }

    public static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> RefreshAsync(
        RefreshRequest request, RefreshTokenStore refreshTokens, AccessTokenIssuer accessTokens, AuthMetrics metrics, CancellationToken cancellationToken)
    {
        if (request.RefreshToken is null)
        {
            return InvalidRequest(new() { ["refreshToken"] = ["A refresh token is required."] });
        }

        var exchanged = await refreshTokens.ExchangeAsync(request.RefreshToken, cancellationToken);
        if (exchanged is not { } pair)
        {
            metrics.RefreshRejected();
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Invalid refresh token",
                detail: "The refresh token is unknown, expired, spent or revoked.");
        }

        var tokens = await TokenPairAsync(pair.User, pair.NextToken, accessTokens, cancellationToken);
        metrics.TokensIssued("refresh");
        return TypedResults.Ok(tokens);
    }

    public static async Task<Ok<JsonWebKeySetResponse>> GetJsonWebKeySetAsync(SigningKeyStore signingKeys, CancellationToken cancellationToken)
    {
        var keys = await signingKeys.GetPublishedAsync(cancellationToken);
        return TypedResults.Ok(new JsonWebKeySetResponse(keys.Select(SigningKeyStore.ToJwk).ToList()));
    }

    private static async Task<TokenResponse> TokenPairAsync(User user, string refreshToken, AccessTokenIssuer accessTokens, CancellationToken cancellationToken) =>
        new(await accessTokens.IssueAsync(user, cancellationToken), "Bearer", (int)accessTokens.Lifetime.TotalSeconds, refreshToken);

    private static ProblemHttpResult UsernameTaken() =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Username taken", detail: "That username is already registered.");

    private static ValidationProblem InvalidRequest(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "Invalid request");

    [LoggerMessage(LogLevel.Information, "Registered user {UserId} ({Username})")]
    private static partial void LogRegistered(ILogger logger, Guid userId, string username);

    [LoggerMessage(LogLevel.Information, "A login failed")]
    private static partial void LogLoginFailed(ILogger logger);

    /// <summary>Answers 503 until authdb is migrated and a signing key exists.</summary>
    private sealed class NotReadyFilter(AuthDatabaseInitializer initializer) : IEndpointFilter
    {
        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
            initializer.IsReady
                ? await next(context)
                : TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Starting",
                    detail: "AuthService is still starting.");
    }
}
