using RealtimeAspire.MessageService.Data;

namespace RealtimeAspire.MessageService.Rooms;

public sealed record CreateRoomRequest(string? Room, string? Visibility, string[]? Members);

public sealed record AddMemberRequest(string? Username);

public sealed record RoomMemberResponse(string UserId, string Username);

public sealed record RoomResponse(string Room, string Visibility, string? OwnerId, IReadOnlyList<RoomMemberResponse> Members);

public sealed record PresenceResponse(string Room, IReadOnlyList<RoomMemberResponse> Members);

public static class Visibility
{
    public const string Public = "public";
    public const string Private = "private";

    public static string ToProtocol(this RoomVisibility visibility) =>
        visibility == RoomVisibility.Private ? Private : Public;

    public static RoomVisibility? Parse(string? visibility) => visibility switch
    {
        Public => RoomVisibility.Public,
        Private => RoomVisibility.Private,
        _ => null,
    };
}
