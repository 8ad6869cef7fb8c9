using System.Text.RegularExpressions;

namespace RealtimeAspire.ConnectionService.Protocol;

public static partial class RoomIds
{
    public static bool IsValid(string room) => RoomPattern().IsMatch(room);

    [GeneratedRegex("^[A-Za-z0-9_.:-]{1,128}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex RoomPattern();
}
