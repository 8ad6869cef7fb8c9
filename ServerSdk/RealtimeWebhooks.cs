using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace RealtimeAspire.Server;

/// <summary>A webhook delivery as protocol.md §6 sends it: <c>{type, timestamp, data}</c>, plus its <c>webhook-id</c>.</summary>
/// <param name="Id">The delivery's <c>webhook-id</c>: the same on every retry, so a receiver can drop repeats.</param>
/// <param name="Type">The event, e.g. <c>message.created</c>.</param>
/// <param name="Timestamp">When the event happened.</param>
/// <param name="Data">The event's fields.</param>
public sealed record RealtimeWebhookEvent(string Id, string Type, DateTimeOffset Timestamp, JsonElement Data);

/// <summary>
/// Verifies a webhook delivery with the endpoint's secret (the <c>whsec_…</c> of its creation), as the Standard Webhooks
/// specification says: signature over <c>id.timestamp.body</c>, timestamp within the tolerance. Read the body as the
/// exact bytes sent; re-serialized JSON does not verify.
/// </summary>
public sealed class RealtimeWebhookVerifier(string secret)
{
    private readonly StandardWebhook _webhook = new(secret);

    /// <summary>The verified event, or <see cref="WebhookVerificationException"/> when the signature or timestamp is wrong.</summary>
    public RealtimeWebhookEvent Verify(string body, IHeaderDictionary headers)
    {
        _webhook.Verify(body, headers);
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        return new RealtimeWebhookEvent(
            headers["webhook-id"].ToString(),
            root.GetProperty("type").GetString() ?? "",
            root.GetProperty("timestamp").GetDateTimeOffset(),
            root.GetProperty("data").Clone());
    }

    /// <summary>Reads and verifies a request an ASP.NET Core endpoint received.</summary>
    public async Task<RealtimeWebhookEvent> VerifyAsync(HttpRequest request, CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        return Verify(await reader.ReadToEndAsync(cancellationToken), request.Headers);
    }
}
