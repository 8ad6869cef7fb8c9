namespace RealtimeAspire.Contracts;

/// <summary>The <c>code</c> of an <c>error</c> frame, exactly as the protocol names them.</summary>
public static class ErrorCodes
{
#pragma warning disable CS1591 // the names say it; protocol.md describes each
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

    // v2 (protocol.md §5–§7).
    public const string DataTooLarge = "data_too_large";
    public const string Rejected = "rejected";
    public const string NotFound = "not_found";
    public const string EditWindowPassed = "edit_window_passed";
#pragma warning restore CS1591

    /// <summary>Not in the protocol's list: a join past the server's rooms-per-connection limit.</summary>
    public const string TooManyRooms = "too_many_rooms";
}

/// <summary>The WebSocket close codes of the protocol.</summary>
public static class CloseCodes
{
    /// <summary>Normal close: the client stops.</summary>
    public const int Normal = 1000;

    /// <summary>The replica is shutting down: reconnect at once and rejoin with <c>since</c>.</summary>
    public const int GoingAway = 1001;

    /// <summary>A binary frame: the protocol is text only.</summary>
    public const int UnsupportedData = 1003;

    /// <summary>The connection broke a rule of the protocol (e.g. too many invalid frames).</summary>
    public const int PolicyViolation = 1008;

    /// <summary>A frame over the size limit.</summary>
    public const int MessageTooBig = 1009;

    /// <summary>Replaced: the user is over the connection limit. The client stops.</summary>
    public const int Replaced = 4001;

    /// <summary>Authentication failed or the token expired: refresh the token, then reconnect.</summary>
    public const int AuthenticationFailed = 4401;

    /// <summary>Blocked by the application (server API <c>users/{userId}/block</c>): the client stops.</summary>
    public const int Blocked = 4403;

    /// <summary>No authentication in time: reconnect and authenticate.</summary>
    public const int AuthenticationTimeout = 4408;
}
