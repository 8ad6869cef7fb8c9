namespace OrderUpdates;

public static class OrderUpdatesExtensions
{
    /// <summary>The server-API client (section RealtimeServer: BaseAddress http://gateway, ClientId, ClientSecret) and the webhook subscription.</summary>
    public static WebApplicationBuilder AddOrderUpdatesServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddRealtimeServerClient(builder.Configuration.GetSection("RealtimeServer"));
        builder.Services.AddOptions<WebhookSubscriptionOptions>().BindConfiguration(WebhookSubscriptionOptions.SectionName);
        builder.Services.AddSingleton<WebhookSubscription>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<WebhookSubscription>());
        builder.Services.AddSingleton<ReceivedEvents>();
        return builder;
    }
}
