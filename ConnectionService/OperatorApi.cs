using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using RealtimeAspire.ConnectionService.Connections;
using RealtimeAspire.Contracts;

namespace RealtimeAspire.ConnectionService;

public sealed record DrainStarted(string Replica, int Connections);

/// <summary>
/// The operator's calls (the dashboard's "Drain" command); the Gateway does not route <c>/internal</c>.
/// Guarded by the operator key (<c>Realtime:OperatorKey</c>), presented in <c>X-Operator-Key</c>.
/// </summary>
public static partial class OperatorApi
{

    public static RouteGroupBuilder MapOperatorApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/internal");
        group.MapPost("/drain", DrainAsync);
        return group;
    }

    /// <summary>
    /// Drains the replica as a shutdown would, without stopping it: /health turns 503, the Gateway stops sending
    /// clients here, and every connection closes with 1001 after its in-flight frame. A restart brings it back.
    /// </summary>
    public static async Task<Results<Ok<DrainStarted>, ProblemHttpResult>> DrainAsync(
        HttpContext context, ConnectionLifecycle lifecycle, ConnectionRegistry connections, RealtimeOptions options,
        IConfiguration configuration, ILoggerFactory loggers)
    {
        if (!IsOperator(context.Request.Headers[InternalApi.OperatorKeyHeader].ToString(), configuration["Realtime:OperatorKey"]))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: $"Draining needs the operator key in {InternalApi.OperatorKeyHeader}.");
        }

        var open = connections.Count;
        LogDraining(loggers.CreateLogger(typeof(OperatorApi)), open);
        await lifecycle.DrainAsync();
        return TypedResults.Ok(new DrainStarted(options.ReplicaId, open));
    }

    private static bool IsOperator(string presented, string? expected) =>
        !string.IsNullOrEmpty(expected)
        && CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    [LoggerMessage(LogLevel.Warning, "Draining on the operator's order: closing {Connections} connections with 1001")]
    private static partial void LogDraining(ILogger logger, int connections);
}
