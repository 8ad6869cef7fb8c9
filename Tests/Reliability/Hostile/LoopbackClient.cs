using System.Net;
using System.Net.Sockets;

namespace RealtimeAspire.Tests.Reliability;

/// <summary>
/// An HttpClient whose connections come from another loopback address (127.0.0.N): its failed logins count against
/// that address's login throttle, not against the 127.0.0.1 every other test signs in from.
/// </summary>
public static class LoopbackClient
{
    public static HttpClient From(string address, Uri gateway) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
                await socket.ConnectAsync(IPAddress.Loopback, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(30) };
}
