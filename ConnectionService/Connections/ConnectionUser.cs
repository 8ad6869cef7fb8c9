namespace RealtimeAspire.ConnectionService.Connections;

/// <summary>Who a connection is authenticated as, and until when; replaced as a whole on token refresh.</summary>
/// <param name="AccessToken">Kept in memory only, for history requests made on the user's behalf. Never logged.</param>
public sealed record ConnectionUser(string UserId, string Username, string AccessToken, DateTimeOffset ExpiresAt);
