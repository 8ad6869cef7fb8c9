using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RealtimeAspire.AuthService.Accounts;
using RealtimeAspire.AuthService.Clients;
using RealtimeAspire.AuthService.Data;
using RealtimeAspire.AuthService.Tokens;

namespace RealtimeAspire.AuthService;

public static class AuthServiceExtensions
{
    public static IHostApplicationBuilder AddAuthServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddProblemDetails();

        builder.AddNpgsqlDbContext<AuthDbContext>("authdb");
        builder.AddRedisClient("redis");
        builder.AddServiceMeter(AuthMetrics.MeterName);

        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName);
        services.AddOptions<JwtAuthenticationOptions>().BindConfiguration(JwtAuthenticationOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddClientAddress();
        services.AddSingleton<AuthMetrics>();

        services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        services.AddSingleton<Passwords>();
        services.AddSingleton<LoginThrottle>();

        services.AddOptions<DeclaredClientsOptions>().BindConfiguration(DeclaredClientsOptions.SectionName);
        services.AddSingleton<IPasswordHasher<ServerClient>, PasswordHasher<ServerClient>>();
        services.AddSingleton<ClientSecrets>();
        services.AddScoped<ClientStore>();

        services.AddSingleton<KeyEncryption>();
        services.AddSingleton<SigningKeyCache>();
        services.AddScoped<SigningKeyStore>();
        services.AddScoped<AccessTokenIssuer>();
        services.AddScoped<RefreshTokenStore>();
        services.AddHostedService<RefreshTokenPurger>();

        services.AddSingleton<AuthDatabaseInitializer>();
        services.AddHostedService(provider => provider.GetRequiredService<AuthDatabaseInitializer>());
        services.AddHealthChecks().AddCheck<AuthDatabaseInitializer>("authdb-ready");

        return builder;
    }
}
