using System.Net;

namespace RealtimeAspire.Gateway;

public static class ClientAddress
{
    /// <summary>
    /// The client's address as the Gateway's per-address limits count it: the peer of the TCP connection (the
    /// Gateway believes no forwarded headers), an IPv4 client the same whether it came over IPv4 or IPv6.
    /// </summary>
    public static string Of(HttpContext context) => context.Connection.RemoteIpAddress switch
    {
        { IsIPv4MappedToIPv6: true } address => address.MapToIPv4().ToString(),
        IPAddress address => address.ToString(),
        null => "unknown",
    };
}
