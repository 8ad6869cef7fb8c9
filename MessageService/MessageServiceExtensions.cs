using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RealtimeAspire.MessageService.Persistence;
using RealtimeAspire.MessageService.Webhooks;

namespace RealtimeAspire.MessageService;

public static class MessageServiceExtensions
{
    public static IHostApplicationBuilder AddMessageServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<StorageUnavailableHandler>();
        builder.Services.AddOptions<HistoryOptions>().BindConfiguration(HistoryOptions.SectionName);
        builder.Services.AddRequestTimeouts();
        builder.Services.AddOptions<RequestTimeoutOptions>()
            .Configure<IOptions<HistoryOptions>>((timeouts, history) => StorageUnavailableHandler.ConfigureTimeouts(timeouts, history.Value));
        builder.Services.AddScoped<HistoryReader>();
        builder.AddJwtAuthentication();

        builder.AddMessagePersistence();
        builder.AddWebhooks();

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<PresenceReader>();
        builder.Services.AddSingleton<RoomControl>();
        builder.Services.AddOptions<ReadOptions>().BindConfiguration(ReadOptions.SectionName);
        builder.Services.AddSingleton<ReadFanout>();
        builder.Services.AddScoped<ReadPositions>();
        builder.Services.AddHttpClient<UserDirectory>(http => http.BaseAddress = new Uri("http://auth-service"));

        return builder;
    }
}
