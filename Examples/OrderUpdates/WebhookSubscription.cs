using Microsoft.Extensions.Options;
using RealtimeAspire.Server;

namespace OrderUpdates;

/// <summary>Where RealtimeAspire should send this backend's webhooks (section <see cref="SectionName"/>).</summary>
public sealed class WebhookSubscriptionOptions
{
    public const string SectionName = "OrderUpdates";

    /// <summary>This backend's own webhook URL as the platform reaches it; none: no subscription.</summary>
    public Uri? WebhookUrl { get; set; }
}

/// <summary>
/// Subscribes this backend to <c>message.created</c> of the order rooms at start-up and keeps the endpoint's secret
/// in memory; a restart subscribes anew and removes nothing (an operator lists and deletes old endpoints).
/// </summary>
public sealed partial class WebhookSubscription(
    IServiceProvider services, IOptions<WebhookSubscriptionOptions> options, ILogger<WebhookSubscription> logger) : BackgroundService
{
    public RealtimeWebhookVerifier? Verifier { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.WebhookUrl is not { } url)
        {
            return;
        }

        var realtime = services.GetRequiredService<RealtimeServerClient>();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var endpoint = await realtime.CreateWebhookAsync(url, ["message.created"], [OrdersApi.RoomOf("")], stoppingToken);
                Verifier = new RealtimeWebhookVerifier(endpoint.Secret!);
                LogSubscribed(endpoint.Id, url);
                return;
            }
            catch (Exception e) when (e is RealtimeServerException or HttpRequestException)
            {
                // The platform may still be starting.
                LogNotYet(e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Subscribed webhook {EndpointId} at {Url}")]
    private partial void LogSubscribed(string endpointId, Uri url);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook subscription not made yet: {Reason}")]
    private partial void LogNotYet(string reason);
}
