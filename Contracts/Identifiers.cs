using System.Text.RegularExpressions;

namespace RealtimeAspire.Contracts;

/// <summary>The protocol's rule for room ids (protocol.md, "Rooms").</summary>
public static partial class RoomIds
{
    /// <summary>Ids with this prefix belong to the server (one room per user); clients cannot create them.</summary>
    public const string ReservedPrefix = "user:";

    /// <summary>The rule as protocol.md writes it, for the messages that refuse an id.</summary>
    public const string Rule = "^[A-Za-z0-9_.:-]{1,128}$";

    /// <summary>True when <paramref name="room"/> is 1–128 of <c>A-Z a-z 0-9 _ . : -</c>.</summary>
    public static bool IsValid(string? room) => room is not null && Pattern().IsMatch(room);

    /// <summary>True for a server-owned <c>user:&lt;userId&gt;</c> room.</summary>
    public static bool IsReserved(string room) => room.StartsWith(ReservedPrefix, StringComparison.Ordinal);

    /// <summary>The user a reserved <c>user:&lt;userId&gt;</c> room belongs to.</summary>
    public static string ReservedOwner(string room) => room[ReservedPrefix.Length..];

    // \z, not $: $ also matches before a trailing newline.
    [GeneratedRegex(@"^[A-Za-z0-9_.:-]{1,128}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}

/// <summary>The protocol's rule for usernames (protocol.md, "Authentication").</summary>
public static partial class Usernames
{
    /// <summary>True when <paramref name="username"/> is 3–32 of <c>a-z 0-9 _</c>.</summary>
    public static bool IsValid(string? username) => username is not null && Pattern().IsMatch(username);

    [GeneratedRegex(@"^[a-z0-9_]{3,32}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}

/// <summary>The protocol's timestamps: UTC, ISO 8601, milliseconds, <c>Z</c>.</summary>
public static class Timestamps
{
    /// <summary>The format of every <c>timestamp</c> and <c>ts</c> field.</summary>
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary><paramref name="time"/> in the protocol's format.</summary>
    public static string Write(DateTimeOffset time) =>
        time.UtcDateTime.ToString(Format, System.Globalization.CultureInfo.InvariantCulture);
}
