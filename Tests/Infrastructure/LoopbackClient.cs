using System.Net;
using System.Net.Sockets;

namespace RealtimeAspire.Tests.Infrastructure;

/// <summary>
/// HTTP connections from another loopback address (127.0.0.N): what the Gateway counts per client address (the login
/// throttle, the auth rate limit, admission control) is then counted apart from the 127.0.0.1 every other test uses.
/// </summary>
public static class LoopbackClient
{
    public static HttpClient From(string address, Uri gateway) => From(IPAddress.Parse(address), gateway, TimeSpan.FromSeconds(30));

    public static HttpClient From(IPAddress address, Uri gateway, TimeSpan timeout) =>
        new(Handler(address)) { BaseAddress = gateway, Timeout = timeout };

    public static SocketsHttpHandler Handler(IPAddress address) => new()
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(address, 0));
                await socket.ConnectAsync(IPAddress.Loopback, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
