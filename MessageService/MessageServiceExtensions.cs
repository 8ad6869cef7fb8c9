namespace RealtimeAspire.MessageService;

public static class MessageServiceExtensions
{
    public static IHostApplicationBuilder AddMessageServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.AddRedisClient("redis");
        builder.AddJwtAuthentication();
        return builder;
    }
}
