using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace RealtimeAspire.ConnectionService;

/// <summary>
/// The Gateway's link to a replica: the port ConnectionService:GatewayLinkPort (given by the AppHost) speaks HTTP/2
/// without TLS, and the Gateway carries its clients' WebSockets as streams of a few shared TCP connections (RFC 8441)
/// instead of one connection each. A Gateway holding N clients then needs N sockets, not 2N: with 2N it ran out of
/// open files and answered further connects with 502 (docs/architecture.md, "Link to the replicas").
/// Clients that connect directly and the health checks keep the HTTP/1.1 endpoint.
/// </summary>
public static class GatewayLink
{
    public const string PortKey = "ConnectionService:GatewayLinkPort";

    // Kestrel's default; the Gateway opens another connection when one is full.
    private const int StreamsPerConnection = 100;
    private const int StreamWindowBytes = 64 * 1024;

    public static IHostApplicationBuilder AddGatewayLink(this IHostApplicationBuilder builder)
    {
        if (builder.Configuration.GetValue<int?>(PortKey) is not { } port)
        {
            return builder;
        }

        builder.Services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.ConfigureEndpointDefaults(listen =>
            {
                if (listen.IPEndPoint?.Port == port)
                {
                    listen.Protocols = HttpProtocols.Http2;
                }
            });

            // Data a client sent counts against its connection's window until the replica reads it. A window that
            // holds every stream's full window means one client whose frames are not read yet cannot stall the
            // others sharing its connection.
            var http2 = kestrel.Limits.Http2;
            http2.MaxStreamsPerConnection = StreamsPerConnection;
            http2.InitialStreamWindowSize = StreamWindowBytes;
            http2.InitialConnectionWindowSize = StreamsPerConnection * StreamWindowBytes;
        });
        return builder;
    }
}
