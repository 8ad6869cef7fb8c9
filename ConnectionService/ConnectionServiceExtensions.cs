namespace RealtimeAspire.ConnectionService;

public static class ConnectionServiceExtensions
{
    public static IHostApplicationBuilder AddConnectionServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.AddRedisClient("redis");
        builder.AddJwtAuthentication();
        return builder;
    }
}
