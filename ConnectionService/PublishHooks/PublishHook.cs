using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using RealtimeAspire.ConnectionService.Connections;
using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.Contracts;
using StandardWebhooks;

namespace RealtimeAspire.ConnectionService.PublishHooks;

/// <summary>
/// The hook's decision on one message: go on with <see cref="Content"/> and <see cref="Data"/> (as sent, or as the
/// hook replaced them), or refuse it with the error <see cref="ErrorCode"/>.
/// </summary>
public readonly record struct PublishVerdict(string? Content, JsonElement? Data, string? ErrorCode = null, string? ErrorMessage = null)
{
    public bool Refused => ErrorCode is not null;
}

/// <summary>
/// Asks the operator's publish hook (protocol.md §6) about a user's message before it is handed off: one signed POST,
/// bounded by <see cref="PublishHookOptions.TimeoutMs"/>, inside the message's trace. A timeout, a non-2xx answer or
/// an unusable one is a failure, decided by <see cref="PublishHookOptions.OnFailure"/>.
/// </summary>
public sealed partial class PublishHook(
    IHttpClientFactory httpClientFactory,
    IOptions<PublishHookOptions> options,
    ClientFrameParser parser,
    RealtimeMetrics metrics,
    TimeProvider time,
    ILogger<PublishHook> logger)
{
    public const string HttpClientName = "publish-hook";

    private readonly PublishHookOptions _options = options.Value;
    private readonly StandardWebhook? _signer = string.IsNullOrWhiteSpace(options.Value.Secret) ? null : new StandardWebhook(options.Value.Secret);

    /// <summary>False when no hook URL is set: the message path does not call <see cref="CheckAsync"/> at all.</summary>
    public bool IsConfigured => _options.IsConfigured;

    public async Task<PublishVerdict> CheckAsync(string room, ConnectionUser user, ClientFrame frame, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var (outcome, verdict) = await CallAsync(room, user, frame, cancellationToken);
        metrics.PublishHookCalled(Stopwatch.GetElapsedTime(started), outcome);
        Activity.Current?.SetTag("realtime.publish_hook.outcome", outcome);
        return verdict ?? Failed(frame, outcome);
    }

    private async Task<(string Outcome, PublishVerdict? Verdict)> CallAsync(string room, ConnectionUser user, ClientFrame frame, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new PublishHookRequest(room, user.UserId, user.Username, frame.Content, frame.Data),
            PublishHookJsonContext.Default.PublishHookRequest);
        using var request = new HttpRequestMessage(HttpMethod.Post, _options.Url)
        {
            Content = new StringContent(body, MediaTypeHeaderValue.Parse("application/json; charset=utf-8")),
        };
        Sign(request, body);

        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(_options.TimeoutMs), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        PublishHookAnswer? answer;
        try
        {
            using var response = await httpClientFactory.CreateClient(HttpClientName).SendAsync(request, linked.Token);
            if (!response.IsSuccessStatusCode)
            {
                LogFailed(logger, room, $"it answered {(int)response.StatusCode}");
                return ("error", null);
            }

            answer = await response.Content.ReadFromJsonAsync(PublishHookJsonContext.Default.PublishHookAnswer, linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, room, $"no answer within {_options.TimeoutMs} ms");
            return ("timeout", null);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or NotSupportedException)
        {
            LogFailed(logger, room, e.GetType().Name);
            return ("error", null);
        }

        return answer?.Action switch
        {
            PublishHookActions.Accept => ("accept", new PublishVerdict(frame.Content, frame.Data)),
            PublishHookActions.Reject => ("reject", new PublishVerdict(null, null, ErrorCodes.Rejected,
                string.IsNullOrWhiteSpace(answer.Reason) ? "The message was rejected." : answer.Reason)),
            PublishHookActions.Replace => Replaced(room, frame, answer),
            _ => ("error", null),
        };
    }

    /// <summary>A replacement obeys the rules a client's message does, so what is stored is what any client could have sent.</summary>
    private (string, PublishVerdict?) Replaced(string room, ClientFrame frame, PublishHookAnswer answer)
    {
        var data = answer.Data is { ValueKind: JsonValueKind.Null } ? null : answer.Data;
        var checkedFrame = parser.Check(frame with { Content = answer.Content, Data = data });
        if (checkedFrame.Frame is null)
        {
            LogFailed(logger, room, $"its replacement is refused ({checkedFrame.ErrorCode})");
            return ("error", null);
        }

        return ("replace", new PublishVerdict(answer.Content, data));
    }

    private PublishVerdict Failed(ClientFrame frame, string outcome) => _options.OnFailure == PublishHookFailure.Accept
        ? new PublishVerdict(frame.Content, frame.Data)
        : new PublishVerdict(null, null, ErrorCodes.Unavailable, outcome == "timeout"
            ? "The publish hook did not answer in time; try again."
            : "The publish hook failed; try again.");

    private void Sign(HttpRequestMessage request, string body)
    {
        if (_signer is null)
        {
            return;
        }

        var id = $"msg_{Guid.CreateVersion7():N}";
        var timestamp = time.GetUtcNow();
        request.Headers.Add(WebhookHeaderNames.Id, id);
        request.Headers.Add(WebhookHeaderNames.Timestamp, timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookHeaderNames.Signature, _signer.Sign(id, timestamp, body));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The publish hook failed for a message to room {Room}: {Problem}")]
    private static partial void LogFailed(ILogger logger, string room, string problem);
}

/// <summary>The Standard Webhooks headers a hook request carries.</summary>
public static class WebhookHeaderNames
{
    public const string Id = "webhook-id";
    public const string Timestamp = "webhook-timestamp";
    public const string Signature = "webhook-signature";
}
