using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The stable titles of the problems that no endpoint writes itself (docs/protocol.md, "HTTP errors"): a malformed
/// request, a route or method that does not exist, a refused body, a failure of the server or of the Gateway's upstream.
/// </summary>
public static class ProblemTitles
{
    public const string InvalidJson = "invalid_json";
    public const string InvalidRequest = "invalid_request";
    public const string RequestTooLarge = "request_too_large";
    public const string RateLimited = "rate_limited";
    public const string InternalError = "internal_error";

    /// <summary>The title for a status code: a few chosen names, else the reason phrase in snake case ("not_found", "method_not_allowed", "bad_gateway").</summary>
    public static string ForStatus(int statusCode) => statusCode switch
    {
        StatusCodes.Status400BadRequest => InvalidRequest,
        StatusCodes.Status413PayloadTooLarge => RequestTooLarge,
        StatusCodes.Status429TooManyRequests => RateLimited,
        StatusCodes.Status500InternalServerError => InternalError,
        _ => ReasonPhrases.GetReasonPhrase(statusCode) is { Length: > 0 } phrase
            ? phrase.Replace("-", "").Replace(' ', '_').ToLowerInvariant()
            : "error",
    };

    /// <summary>A plain sentence for a status code, naming nothing of the server.</summary>
    public static string DetailForStatus(int statusCode) => statusCode switch
    {
        StatusCodes.Status400BadRequest => "The request is malformed.",
        StatusCodes.Status404NotFound => "There is nothing at this path.",
        StatusCodes.Status405MethodNotAllowed => "This path does not take this method.",
        StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
        StatusCodes.Status415UnsupportedMediaType => "The request body must be application/json.",
        >= 500 => "The server could not answer this request; try again later.",
        _ => ReasonPhrases.GetReasonPhrase(statusCode) + ".",
    };
}
