using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;
using RealtimeAspire.MessageService.Persistence;
using StandardWebhooks;

namespace RealtimeAspire.MessageService.Webhooks;

/// <summary>A delivery the worker claimed, with what its attempt needs.</summary>
public sealed class ClaimedDelivery
{
    public required long Id { get; init; }

    /// <summary>Attempts so far, this one included; a result is recorded only while it still matches (the claim's fence).</summary>
    public required int Attempts { get; init; }

    public required Guid EventId { get; init; }

    public required string Type { get; init; }

    public required string Body { get; init; }

    public string? TraceParent { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required Guid EndpointId { get; init; }

    public required string Url { get; init; }

    public required string Secret { get; init; }

    /// <summary>The Standard Webhooks <c>webhook-id</c>: the event's, on every attempt at every endpoint.</summary>
    public string WebhookId => WebhookHeaders.Id(EventId);
}

public sealed record WebhookAttempt(bool Delivered, string Outcome, int? StatusCode, string? Error);

/// <summary>The Standard Webhooks header names and the form of a <c>webhook-id</c>.</summary>
public static class WebhookHeaders
{
    public const string WebhookId = "webhook-id";
    public const string WebhookTimestamp = "webhook-timestamp";
    public const string WebhookSignature = "webhook-signature";

    public static string Id(Guid eventId) => $"msg_{eventId:N}";
}

/// <summary>One signed HTTP attempt of a delivery (Standard Webhooks), in the trace of the change the event reports.</summary>
public sealed class WebhookSender(IHttpClientFactory httpClientFactory, TimeProvider time, IOptions<WebhookOptions> options)
{
    public const string HttpClientName = "webhooks";

    public async Task<WebhookAttempt> SendAsync(ClaimedDelivery delivery, CancellationToken cancellationToken)
    {
        ActivityContext.TryParse(delivery.TraceParent, null, out var parent);
        using var activity = PersistenceMetrics.ActivitySource.StartActivity("webhook send", ActivityKind.Producer, parent);
        activity?.SetTag("webhook.id", delivery.WebhookId);
        activity?.SetTag("webhook.event.type", delivery.Type);
        activity?.SetTag("webhook.endpoint.id", delivery.EndpointId);
        activity?.SetTag("webhook.attempt", delivery.Attempts);

        var timestamp = time.GetUtcNow();
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
        {
            Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(WebhookHeaders.WebhookId, delivery.WebhookId);
        request.Headers.Add(WebhookHeaders.WebhookTimestamp, timestamp.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookHeaders.WebhookSignature, new StandardWebhook(delivery.Secret).Sign(delivery.WebhookId, timestamp, delivery.Body));

        using var timeout = new CancellationTokenSource(options.Value.AttemptTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var result = await AttemptAsync(request, linked.Token, timeout.Token);
        activity?.SetTag("http.response.status_code", result.StatusCode);
        if (!result.Delivered)
        {
            activity?.SetStatus(ActivityStatusCode.Error, result.Outcome);
        }

        return result;
    }

    private async Task<WebhookAttempt> AttemptAsync(HttpRequestMessage request, CancellationToken cancellationToken, CancellationToken timeout)
    {
        try
        {
            using var response = await httpClientFactory.CreateClient(HttpClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode
                ? new WebhookAttempt(true, "success", status, null)
                : new WebhookAttempt(false, "http_error", status, $"The endpoint answered {status}.");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return new WebhookAttempt(false, "timeout", null, $"No answer within {options.Value.AttemptTimeout.TotalSeconds} s.");
        }
        catch (HttpRequestException e) when (e.InnerException is RefusedAddressException refused)
        {
            return new WebhookAttempt(false, "refused_address", null, refused.Message);
        }
        catch (HttpRequestException e)
        {
            return new WebhookAttempt(false, "network_error", null, e.Message);
        }
    }

    /// <summary>
    /// The handler of the webhooks client: no redirects (a 3xx does not deliver, and must not lead inside), and every
    /// connection goes only to a public address of the host, resolved at connect time.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(bool allowPrivate) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectCallback = async (context, cancellationToken) =>
        {
            var addresses = await WebhookAddressGuard.ResolveAsync(context.DnsEndPoint.Host, cancellationToken);
            var allowed = allowPrivate ? addresses : addresses.Where(WebhookAddressGuard.IsPublic).ToArray();
            if (allowed.Length == 0)
            {
                throw new RefusedAddressException($"'{context.DnsEndPoint.Host}' resolves to no public address.");
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}

/// <summary>A delivery's host resolved only to addresses the SSRF guard refuses.</summary>
public sealed class RefusedAddressException(string message) : Exception(message);
