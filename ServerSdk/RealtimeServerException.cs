using System.Net;

namespace RealtimeAspire.Server;

/// <summary>The server API refused a call; <see cref="Title"/> and <see cref="Detail"/> come from its RFC 7807 problem.</summary>
public sealed class RealtimeServerException(HttpStatusCode statusCode, string? title, string? detail)
    : Exception($"{(int)statusCode} {title ?? statusCode.ToString()}{(detail is null ? "" : $": {detail}")}")
{
    /// <summary>The HTTP status of the answer.</summary>
    public HttpStatusCode StatusCode { get; } = statusCode;

    /// <summary>The problem's title (stable per kind of error).</summary>
    public string? Title { get; } = title;

    /// <summary>The problem's detail, when it gave one.</summary>
    public string? Detail { get; } = detail;
}
