using System.Net;
using System.Net.Sockets;

namespace RealtimeAspire.AppHost.Infrastructure;

public static class FreePort
{
    // Below Linux's ephemeral range (32768–60999), from which the kernel and DCP hand out ports of their own: a port
    // picked here and bound a moment later by Redis or PostgreSQL is not given to someone else in between.
    private const int RangeStart = 20000;
    private const int RangeEnd = 32768;

    /// <summary>
    /// A loopback port that is free right now. Endpoints that skip Aspire's proxy need a port up front,
    /// and skipping the proxy keeps Redis, PostgreSQL and the replicas one hop away from their callers.
    /// </summary>
    public static int Next()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var port = Random.Shared.Next(RangeStart, RangeEnd);
            if (IsFree(port))
            {
                return port;
            }
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The configured port, or a free one when the setting is absent or 0.</summary>
    public static int OrConfigured(int? configured) => configured is > 0 ? configured.Value : Next();

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
