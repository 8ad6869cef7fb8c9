namespace RealtimeAspire.Client;

/// <summary>Where a <see cref="RealtimeClient"/> is in its life.</summary>
public enum RealtimeConnectionState
{
    /// <summary>Not started yet.</summary>
    Disconnected,

    /// <summary>Opening the first connection.</summary>
    Connecting,

    /// <summary>Authenticated and usable.</summary>
    Connected,

    /// <summary>The connection dropped; a new one is being opened (rooms are rejoined, un-acked messages resent).</summary>
    Reconnecting,

    /// <summary>Stopped for good: closed by the caller, or by the server with 1000 or 4001, or the token provider failed.</summary>
    Closed,
}
