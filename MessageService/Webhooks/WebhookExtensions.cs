using Microsoft.Extensions.Options;

namespace RealtimeAspire.MessageService.Webhooks;

public static class WebhookExtensions
{
    /// <summary>The webhook outbox's presence consumer, its delivery worker, its HTTP client and its telemetry.</summary>
    public static IHostApplicationBuilder AddWebhooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName);
        builder.Services.AddSingleton<WebhookMetrics>();
        builder.Services.AddSingleton<WebhookSender>();

        // Attempts are retried by the worker's schedule, not by a resilience handler; the handler guards each connection.
#pragma warning disable EXTEXP0001 // the one way to take the ServiceDefaults' standard handler off a client
        builder.Services.AddHttpClient(WebhookSender.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(services =>
                WebhookSender.CreateHandler(services.GetRequiredService<IOptions<WebhookOptions>>().Value.AllowPrivateAddresses))
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001

        builder.Services.AddHostedService<PresenceWebhookConsumer>();
        builder.Services.AddHostedService<WebhookDeliveryWorker>();
        return builder;
    }
}
