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

/// <summary>The WebSocket close codes of the protocol.</summary>
public static class RealtimeCloseCodes
{
    /// <summary>Normal close: the client stops.</summary>
    public const int Normal = 1000;

    /// <summary>The replica is shutting down: reconnect at once and rejoin with <c>since</c>.</summary>
    public const int GoingAway = 1001;

    /// <summary>Replaced: the user is over the connection limit. The client stops.</summary>
    public const int Replaced = 4001;

    /// <summary>Authentication failed or the token expired: refresh the token, then reconnect.</summary>
    public const int Unauthorized = 4401;

    /// <summary>No authentication in time: reconnect and authenticate.</summary>
    public const int AuthenticationTimeout = 4408;
}

/// <summary>The error codes of <c>error</c> frames.</summary>
public static class RealtimeErrorCodes
{
#pragma warning disable CS1591 // the names say it; the protocol describes each
    public const string InvalidJson = "invalid_json";
    public const string InvalidMessage = "invalid_message";
    public const string UnknownType = "unknown_type";
    public const string NotAuthenticated = "not_authenticated";
    public const string Forbidden = "forbidden";
    public const string NotJoined = "not_joined";
    public const string InvalidRoom = "invalid_room";
    public const string ContentTooLong = "content_too_long";
    public const string RateLimited = "rate_limited";
    public const string Unavailable = "unavailable";
#pragma warning restore CS1591
}
