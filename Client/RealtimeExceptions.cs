namespace RealtimeAspire.Client;

/// <summary>The server answered a request with an <c>error</c> frame.</summary>
/// <param name="error">The frame.</param>
public sealed class RealtimeErrorException(ServerError error)
    : Exception($"The server refused the request: {error.Code} ({error.Message}).")
{
    /// <summary>The <c>error</c> frame.</summary>
    public ServerError Error { get; } = error;

    /// <summary>The stable error code, see <see cref="RealtimeAspire.Contracts.ErrorCodes"/>.</summary>
    public string Code => Error.Code;
}

/// <summary>The client is closed (by the caller, or by the server with 1000 or 4001) and will not reconnect.</summary>
/// <param name="message">Why.</param>
/// <param name="closeCode">The close code that stopped it, if any.</param>
public sealed class RealtimeClosedException(string message, int? closeCode = null) : Exception(message)
{
    /// <summary>The WebSocket close code that stopped the client, if a close stopped it.</summary>
    public int? CloseCode { get; } = closeCode;
}
