using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace RealtimeAspire.Tests.Data;

/// <summary>One request the hook received, and whether its Standard Webhooks signature verified.</summary>
public sealed record HookCall(JsonObject Body, bool SignatureVerified, string? WebhookId)
{
    public string? Content => (string?)Body["content"];

    public string? Room => (string?)Body["room"];
}

/// <summary>
/// The application backend's publish hook (protocol.md §6): a real Kestrel server in the test process. What it
/// answers depends on the message's text, so each test picks the behaviour per message: <c>reject:&lt;reason&gt;</c>,
/// <c>replace:&lt;text&gt;</c>, <c>slow</c> (no answer until the caller gives up), <c>fail</c> (500), anything else accepted.
/// </summary>
public sealed class PublishHookReceiver : IAsyncDisposable
{
    public const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private readonly WebApplication _app;

    public PublishHookReceiver()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapPost("/hook", HandleAsync);
    }

    public ConcurrentQueue<HookCall> Calls { get; } = new();

    public Uri Url => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hook");

    public Task StartAsync() => _app.StartAsync();

    public IEnumerable<HookCall> CallsFor(string room) => Calls.Where(call => call.Room == room);

    private async Task<IResult> HandleAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        var verified = true;
        try
        {
            new StandardWebhook(Secret).Verify(body, request.Headers);
        }
        catch (WebhookVerificationException)
        {
            verified = false;
        }

        var call = new HookCall(JsonNode.Parse(body)!.AsObject(), verified, request.Headers["webhook-id"]);
        Calls.Enqueue(call);
        var content = call.Content ?? "";
        if (content == "slow")
        {
            // Never answers in time: the replica cancels the request, which ends this wait.
            await Task.Delay(TimeSpan.FromMinutes(2), request.HttpContext.RequestAborted).ContinueWith(_ => { });
            return Results.Json(new { action = "accept" });
        }

        return content switch
        {
            "fail" => Results.StatusCode(500),
            _ when content.StartsWith("reject:", StringComparison.Ordinal) => Results.Json(new { action = "reject", reason = content["reject:".Length..] }),
            _ when content.StartsWith("replace:", StringComparison.Ordinal) => Results.Json(new
            {
                action = "replace",
                content = $"replaced {content["replace:".Length..]}",
                data = new { moderated = true, original = content },
            }),
            _ => Results.Json(new { action = "accept" }),
        };
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
