namespace RealtimeAspire.AuthService;

public static class AuthServiceExtensions
{
    public static IHostApplicationBuilder AddAuthServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        return builder;
    }
}
