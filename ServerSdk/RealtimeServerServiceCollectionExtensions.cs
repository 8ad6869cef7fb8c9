using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RealtimeAspire.Server;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="RealtimeServerClient"/> as a typed HttpClient that carries the client's token.</summary>
public static class RealtimeServerServiceCollectionExtensions
{
    /// <summary>Binds <see cref="RealtimeServerOptions"/> from <paramref name="section"/> (e.g. <c>configuration.GetSection("RealtimeServer")</c>).</summary>
    public static IHttpClientBuilder AddRealtimeServerClient(this IServiceCollection services, IConfiguration section) =>
        services.AddRealtimeServerClient(section.Bind);

    /// <summary>Configures <see cref="RealtimeServerOptions"/> in code.</summary>
    public static IHttpClientBuilder AddRealtimeServerClient(this IServiceCollection services, Action<RealtimeServerOptions> configure)
    {
        services.AddOptions<RealtimeServerOptions>().Configure(configure);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ClientCredentialsTokens>();
        services.TryAddTransient<ClientCredentialsHandler>();
        services.AddHttpClient(ClientCredentialsTokens.HttpClientName);
        return services.AddHttpClient<RealtimeServerClient>((provider, http) =>
                http.BaseAddress = provider.GetRequiredService<IOptions<RealtimeServerOptions>>().Value.BaseAddress)
            .AddHttpMessageHandler<ClientCredentialsHandler>();
    }
}
