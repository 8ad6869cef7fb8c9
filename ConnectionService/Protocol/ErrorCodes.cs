namespace RealtimeAspire.ConnectionService.Protocol;

/// <summary>The <c>code</c> of an <c>error</c> frame, exactly as the protocol names them.</summary>
public static class ErrorCodes
{
    public const string InvalidJson = "invalid_json";
    public const string InvalidMessage = "invalid_message";
    public const string UnknownType = "unknown_type";
    public const string NotAuthenticated = "not_authenticated";
    public const string Forbidden = "forbidden";
    public const string NotJoined = "not_joined";
    public const string InvalidRoom = "invalid_room";
    public const string ContentTooLong = "content_too_long";
    public const string RateLimited = "rate_limited";

    /// <summary>Not in the protocol's list: a join past <see cref="RealtimeOptions.MaxRoomsPerConnection"/>.</summary>
    public const string TooManyRooms = "too_many_rooms";
}

/// <summary>WebSocket close codes of the protocol.</summary>
public static class CloseCodes
{
    public const int Normal = 1000;
    public const int GoingAway = 1001;
    public const int UnsupportedData = 1003;
    public const int PolicyViolation = 1008;
    public const int MessageTooBig = 1009;
    public const int Replaced = 4001;
    public const int AuthenticationFailed = 4401;
    public const int AuthenticationTimeout = 4408;
}
