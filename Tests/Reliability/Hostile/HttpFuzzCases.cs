using System.Net.Http.Headers;
using System.Text;

namespace RealtimeAspire.Tests.Reliability;

/// <summary>One hostile HTTP request: a route, a method, an Accept value, a content type, a body and a token.</summary>
public sealed record HttpFuzzCase(string Path, string Method, string? Accept, string? ContentType, string Body, string Token, bool TokenInQuery)
{
    public override string ToString() =>
        $"{Method} {Path} accept={Accept ?? "(none)"} content-type={ContentType ?? "(none)"} body={Body} token={Token}{(TokenInQuery ? " (query)" : "")}";
}

/// <summary>
/// The dimensions of the HTTP fuzz test and a seeded sample of their product (every route × method × Accept ×
/// content type × body × token would be ~100,000 requests): each value of each dimension is drawn uniformly, and
/// half the requests use their route's own method.
/// </summary>
public static class HttpFuzzCases
{
    public const string Room = "httpfuzz-room";
    public const string Member = "nobody_here";

    /// <summary>Every route the Gateway serves (and some it does not), each with the method it takes.</summary>
    public static readonly (string Path, string Method)[] Routes =
    [
        ("/api/auth/register", "POST"), ("/api/auth/token", "POST"), ("/api/auth/refresh", "POST"),
        ("/api/auth/.well-known/jwks.json", "GET"), ("/api/auth/unknown", "GET"),
        ("/api/rooms", "POST"), ($"/api/rooms/{Room}/members", "POST"), ($"/api/rooms/{Room}/members/{Member}", "DELETE"),
        ($"/api/rooms/{Room}/messages", "GET"), ($"/api/rooms/{Room}/messages?after=abc&limit=x", "GET"),
        ($"/api/rooms/{Room}/messages?before=-1&limit=100000", "GET"), ($"/api/rooms/{Room}/presence", "GET"),
        ($"/api/rooms/{Room}/unknown", "GET"), ("/api/rooms/bad%20room!/messages", "GET"), ("/api/unknown", "GET"),
        ("/unknown", "GET"), ("/hub/negotiate?negotiateVersion=1", "POST"), ("/hub?id=unknown", "POST"), ("/hub", "GET"),
        ("/ws", "GET"),
    ];

    public static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"];

    public static readonly string?[] Accepts =
        ["*/*", "application/json", "text/html", "text/event-stream", "text/plain", "application/xml", null];

    public static readonly string?[] ContentTypes =
    [
        null, "application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded",
        "application/xml", "multipart/form-data; boundary=x",
    ];

    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>Bodies by name; "none" sends no content at all.</summary>
    public static readonly IReadOnlyDictionary<string, byte[]?> Bodies = new Dictionary<string, byte[]?>
    {
        ["none"] = null,
        ["empty"] = [],
        ["truncated"] = Encoding.UTF8.GetBytes("{\"username\":"),
        ["wrong-types"] = Encoding.UTF8.GetBytes(
            "{\"username\":5,\"password\":[],\"refreshToken\":false,\"room\":{},\"visibility\":7,\"members\":\"x\"}"),
        ["array"] = Encoding.UTF8.GetBytes("[1,2,3]"),
        ["null"] = Encoding.UTF8.GetBytes("null"),
        ["deep-nesting"] = Encoding.UTF8.GetBytes(new string('[', 5_000) + new string(']', 5_000)),
        ["1-mib"] = OneMebibyte(),
        ["invalid-utf8"] = [.. "{\"username\":\""u8, 0xFF, 0xFE, 0xC3, 0x28, .. "\",\"password\":\"password123\"}"u8],
        ["plausible"] = Encoding.UTF8.GetBytes(
            $"{{\"username\":\"{Member}\",\"password\":\"password123\",\"refreshToken\":\"none\",\"room\":\"{Room}\",\"visibility\":\"public\"}}"),
    };

    public static readonly string[] Tokens = ["none", "garbage", "forged", "expired", "valid"];

    public static List<HttpFuzzCase> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var bodies = Bodies.Keys.ToArray();
        return Enumerable.Range(0, count).Select(_ =>
        {
            var (path, method) = Pick(random, Routes);
            var body = Pick(random, bodies);
            // Half the requests use the route's own method, so that they reach binding and validation, not only 405.
            return new HttpFuzzCase(path, random.Next(2) == 0 ? method : Pick(random, Methods), Pick(random, Accepts),
                Pick(random, ContentTypes), body, Pick(random, Tokens), TokenInQuery: random.Next(2) == 0);
        }).ToList();
    }

    /// <summary>The request of a case; <paramref name="tokens"/> maps a token kind to the token (null for none).</summary>
    public static HttpRequestMessage ToRequest(HttpFuzzCase fuzz, IReadOnlyDictionary<string, string?> tokens)
    {
        var token = tokens[fuzz.Token];
        var path = fuzz.Path;
        if (token is not null && fuzz.TokenInQuery)
        {
            path += (path.Contains('?') ? "&" : "?") + "access_token=" + Uri.EscapeDataString(token);
        }

        var request = new HttpRequestMessage(new HttpMethod(fuzz.Method), path);
        if (fuzz.Accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", fuzz.Accept);
        }

        if (token is not null && !fuzz.TokenInQuery)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (Bodies[fuzz.Body] is { } body)
        {
            // As a careful client would: it waits for the verdict before writing a body the server may never read, so
            // an early answer (401, 405) is read instead of a broken pipe, and the connection is not reused half-read.
            request.Headers.ExpectContinue = true;
            request.Content = new ByteArrayContent(body);
            if (fuzz.ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", fuzz.ContentType);
            }
        }

        return request;
    }

    private static T Pick<T>(Random random, T[] values) => values[random.Next(values.Length)];

    // Exactly the Gateway's limit: it passes the Gateway and reaches the service.
    private static byte[] OneMebibyte()
    {
        var prefix = "{\"username\":\""u8;
        var suffix = "\"}"u8;
        var body = new byte[MaxBodyBytes];
        prefix.CopyTo(body);
        body.AsSpan(prefix.Length, MaxBodyBytes - prefix.Length - suffix.Length).Fill((byte)'a');
        suffix.CopyTo(body.AsSpan(MaxBodyBytes - suffix.Length));
        return body;
    }
}
