using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace RealtimeAspire.AuthService.Accounts;

/// <summary>
/// The client's address, as the per-address login limit needs it. Behind the Gateway the peer is the Gateway,
/// so X-Forwarded-For is believed from trusted proxies only (loopback, plus <see cref="AuthOptions.TrustedProxyNetworks"/>),
/// and only its last hop: the one the Gateway itself added.
/// </summary>
public static class ClientAddress
{
    public static IServiceCollection AddClientAddress(this IServiceCollection services)
    {
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<AuthOptions>>((forwarded, auth) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
            forwarded.ForwardLimit = 1;
            foreach (var network in auth.Value.TrustedProxyNetworks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
        services.AddTransient<IStartupFilter, ForwardedHeadersStartupFilter>();
        return services;
    }

    public static string Of(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress ?? IPAddress.None;
        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }

    // Program.cs stays the same for every service, so the middleware comes in through a startup filter.
    private sealed class ForwardedHeadersStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseForwardedHeaders();
            next(app);
        };
    }
}
