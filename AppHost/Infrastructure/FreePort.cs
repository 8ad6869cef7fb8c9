using System.Net;
using System.Net.Sockets;

namespace RealtimeAspire.AppHost.Infrastructure;

public static class FreePort
{
    /// <summary>
    /// A loopback port that is free right now. Endpoints that skip Aspire's proxy need a port up front,
    /// and skipping the proxy keeps Redis, PostgreSQL and the replicas one hop away from their callers.
    /// </summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The configured port, or a free one when the setting is absent or 0.</summary>
    public static int OrConfigured(int? configured) => configured is > 0 ? configured.Value : Next();
}
