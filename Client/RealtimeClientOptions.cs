using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RealtimeAspire.Client;

/// <summary>Settings of a <see cref="RealtimeClient"/>.</summary>
public sealed class RealtimeClientOptions
{
    /// <summary>The Gateway's address, e.g. <c>http://localhost:8080</c>; <c>/ws</c> is added when missing. http/https become ws/wss.</summary>
    public required Uri Url { get; init; }

    /// <summary>
    /// Returns a valid access token. Called for every connection, again when the server closes with 4401 and
    /// every <see cref="TokenRefreshInterval"/>; it should refresh the token when the old one is near expiry.
    /// </summary>
    public required Func<CancellationToken, ValueTask<string>> TokenProvider { get; init; }

    /// <summary>How long a request (join, leave, presence, send) waits for its answer. Default 10 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long opening and authenticating one connection may take. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The first reconnection delay's upper bound; each failed attempt doubles it. Default 250 ms.</summary>
    public TimeSpan ReconnectBaseDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The cap of the reconnection delay. Default 30 s.</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether the client reconnects after a drop. Default true.</summary>
    public bool AutoReconnect { get; init; } = true;

    /// <summary>
    /// How often a live connection re-authenticates with a fresh token from <see cref="TokenProvider"/>, so it
    /// outlives the token it started with. Null: never. Default 10 minutes (tokens live 15).
    /// </summary>
    public TimeSpan? TokenRefreshInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the client pings when the server does not say (<c>heartbeatIntervalMs</c> of <c>welcome</c> wins).</summary>
    public TimeSpan DefaultHeartbeatInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many unread events one <see cref="RealtimeClient.ReadEventsAsync"/> reader may have before the connection waits for it.</summary>
    public int EventBufferCapacity { get; init; } = 10_000;

    /// <summary>Largest frame accepted from the server; larger ones drop the connection. Default 1 MiB.</summary>
    public int MaxFrameBytes { get; init; } = 1 << 20;

    /// <summary>Where the client logs connection changes and failures of event handlers. Never tokens or content.</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;

    internal Uri WebSocketUri
    {
        get
        {
            var builder = new UriBuilder(Url);
            builder.Scheme = builder.Scheme switch { "https" => "wss", "http" => "ws", var other => other };
            if (!builder.Path.EndsWith("/ws", StringComparison.Ordinal))
            {
                builder.Path = builder.Path.TrimEnd('/') + "/ws";
            }

            return builder.Uri;
        }
    }
}
