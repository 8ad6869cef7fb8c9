using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace RealtimeAspire.Tests.Webhooks;

/// <summary>One webhook request as the receiver saw it, and whether its signature verified with the endpoint's secret.</summary>
public sealed record ReceivedWebhook(string WebhookId, string Body, bool SignatureValid, string? VerificationError, int Answer, string? TraceParent)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string Type => Json.GetProperty("type").GetString()!;

    public JsonElement Data => Json.GetProperty("data");
}

/// <summary>
/// A backend's webhook endpoint: Kestrel on loopback in the test process. It verifies every request with the
/// StandardWebhooks package and answers what <see cref="Answer"/> says (200 unless told otherwise).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly Channel<ReceivedWebhook> _arrivals = Channel.CreateUnbounded<ReceivedWebhook>();
    private WebApplication? _app;

    public Uri Url { get; private set; } = null!;

    /// <summary>The endpoint's secret, known once it is registered.</summary>
    public string? Secret { get; set; }

    /// <summary>Decides the answer to each request, given the request and how many came before it; may wait.</summary>
    public Func<ReceivedWebhookRequest, Task<int>> Answer { get; set; } = _ => Task.FromResult(200);

    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        receiver._app = builder.Build();
        var count = 0;
        receiver._app.MapPost("/hook", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            string? error = null;
            try
            {
                new StandardWebhook(receiver.Secret!).Verify(body, request.Headers);
            }
            catch (WebhookVerificationException e)
            {
                error = e.Message;
            }

            var webhookId = request.Headers["webhook-id"].ToString();
            var answer = await receiver.Answer(new ReceivedWebhookRequest(webhookId, body, Interlocked.Increment(ref count) - 1));
            var received = new ReceivedWebhook(webhookId, body, error is null, error, answer, request.Headers["traceparent"].FirstOrDefault());
            receiver._received.Enqueue(received);
            receiver._arrivals.Writer.TryWrite(received);
            return Results.StatusCode(answer);
        });
        await receiver._app.StartAsync();
        var address = receiver._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = new Uri(new Uri(address), "/hook");
        return receiver;
    }

    /// <summary>Waits for a request that matches (answered with 2xx unless <paramref name="delivered"/> is false).</summary>
    public async Task<ReceivedWebhook> WaitForAsync(Func<ReceivedWebhook, bool> match, TimeSpan timeout, bool delivered = true)
    {
        bool Wanted(ReceivedWebhook webhook) => match(webhook) && (!delivered || webhook.Answer is >= 200 and < 300);

        if (_received.FirstOrDefault(Wanted) is { } already)
        {
            return already;
        }

        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var next = await _arrivals.Reader.ReadAsync(cancellation.Token);
                if (Wanted(next))
                {
                    return next;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException(
                $"No matching webhook within {timeout}; received: {string.Join(" | ", _received.Select(r => $"{r.Answer} {r.Body}"))}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

/// <summary>What <see cref="WebhookReceiver.Answer"/> is given: the request and its place among all the receiver got.</summary>
public sealed record ReceivedWebhookRequest(string WebhookId, string Body, int Index)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}
