using System.Text.RegularExpressions;

namespace RealtimeAspire.MessageService;

/// <summary>The protocol's rules for room ids.</summary>
public static partial class RoomId
{
    /// <summary>Ids with this prefix belong to the server (one room per user); clients cannot create them.</summary>
    public const string ReservedPrefix = "user:";

    public static bool IsValid(string? room) => room is not null && Pattern().IsMatch(room);

    public static bool IsReserved(string room) => room.StartsWith(ReservedPrefix, StringComparison.Ordinal);

    /// <summary>The user a reserved <c>user:&lt;userId&gt;</c> room belongs to.</summary>
    public static string ReservedOwner(string room) => room[ReservedPrefix.Length..];

    [GeneratedRegex("^[A-Za-z0-9_.:-]{1,128}$")]
    private static partial Regex Pattern();
}
