namespace RealtimeAspire.ConnectionService.PublishHooks;

public static class PublishHookExtensions
{
    /// <summary>The operator's publish hook, its options and its HTTP client (one attempt, bounded by the hook's own timeout).</summary>
    public static IServiceCollection AddPublishHook(this IServiceCollection services)
    {
        services.AddOptions<PublishHookOptions>().BindConfiguration(PublishHookOptions.SectionName);
        services.AddSingleton<PublishHook>();

        // A message waits for one answer within TimeoutMs; retrying would only make its sender wait longer.
#pragma warning disable EXTEXP0001 // the one way to take the ServiceDefaults' standard handler off a client
        services.AddHttpClient(PublishHook.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return services;
    }
}
