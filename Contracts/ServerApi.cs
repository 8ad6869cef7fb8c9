namespace RealtimeAspire.Contracts;

/// <summary>The scopes of the server API (protocol.md §6), as they appear in a client token's <c>scope</c> claim.</summary>
public static class ServerScopes
{
#pragma warning disable CS1591 // protocol.md §6 lists what each allows
    public const string RoomsPublish = "rooms:publish";
    public const string UsersNotify = "users:notify";
    public const string RoomsRead = "rooms:read";
    public const string RoomsAdmin = "rooms:admin";
    public const string UsersBlock = "users:block";
    public const string WebhooksManage = "webhooks:manage";
#pragma warning restore CS1591

    /// <summary>Every scope a client may be granted.</summary>
    public static readonly IReadOnlyList<string> All = [RoomsPublish, UsersNotify, RoomsRead, RoomsAdmin, UsersBlock, WebhooksManage];
}

/// <summary>Who a server-API caller is: a client token's <c>sub</c> is <c>client:&lt;clientId&gt;</c>.</summary>
public static class ServerClients
{
    /// <summary>The prefix of a client's subject; a user id never starts with it.</summary>
    public const string SubjectPrefix = "client:";

    /// <summary>The <c>sub</c> (and message <c>userId</c>) of a client.</summary>
    public static string Subject(string clientId) => SubjectPrefix + clientId;

    /// <summary>Whether a token's subject is a server client rather than a user.</summary>
    public static bool IsClient(string? subject) => subject is not null && subject.StartsWith(SubjectPrefix, StringComparison.Ordinal);
}
