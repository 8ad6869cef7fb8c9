using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RealtimeAspire.AuthService.Data;
using RealtimeAspire.AuthService.Tokens;

namespace RealtimeAspire.AuthService;

public sealed record SigningKeyRotated(string Kid);

/// <summary>Calls for the other services and the operator; the Gateway does not route <c>/internal</c>.</summary>
public static partial class AuthInternalApi
{
    public static RouteGroupBuilder MapAuthInternalApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/internal");

        group.MapGet("/users/by-name/{username}", FindUserAsync);
        group.MapPost("/keys/rotate", RotateSigningKeyAsync);

        return group;
    }

    public static async Task<Results<Ok<UserByName>, ProblemHttpResult>> FindUserAsync(
        string username, AuthDbContext db, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Username == username, cancellationToken);
        return user is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "User not found")
            : TypedResults.Ok(new UserByName(user.Id.ToString(), user.Username));
    }

    /// <summary>Makes a new key the signing key; the old one stays in the JWKS until its tokens have expired.</summary>
    public static async Task<Results<Ok<SigningKeyRotated>, ProblemHttpResult>> RotateSigningKeyAsync(
        HttpContext context, SigningKeyStore signingKeys, IOptions<AuthOptions> options, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        if (!IsOperator(context.Request.Headers[InternalApi.OperatorKeyHeader].ToString(), options.Value.OperatorKey))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: $"Key rotation needs the operator key in {InternalApi.OperatorKeyHeader}.");
        }

        var keyId = await signingKeys.RotateAsync(cancellationToken);
        LogRotated(loggers.CreateLogger(typeof(AuthInternalApi)), keyId);
        return TypedResults.Ok(new SigningKeyRotated(keyId));
    }

    internal static bool IsOperator(string presented, string? expected) =>
        !string.IsNullOrEmpty(expected)
        && CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    [LoggerMessage(LogLevel.Warning, "Signing key rotated: {KeyId} now signs")]
    private static partial void LogRotated(ILogger logger, string keyId);
}

/// <summary>Lets a request through only with the operator key in <c>X-Operator-Key</c> (403 otherwise, or when none is set).</summary>
public sealed class OperatorKeyFilter(IOptions<AuthOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        AuthInternalApi.IsOperator(context.HttpContext.Request.Headers[InternalApi.OperatorKeyHeader].ToString(), options.Value.OperatorKey)
            ? await next(context)
            : TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: $"This needs the operator key in {InternalApi.OperatorKeyHeader}.");
}
