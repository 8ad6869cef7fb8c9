namespace RealtimeAspire.Contracts;

/// <summary>The webhook event types of protocol.md §6, as a backend subscribes to them and finds them in a body's <c>type</c>.</summary>
public static class WebhookEventTypes
{
#pragma warning disable CS1591 // protocol.md §6 says when each happens
    public const string MessageCreated = "message.created";
    public const string RoomCreated = "room.created";
    public const string RoomMemberAdded = "room.member_added";
    public const string RoomMemberRemoved = "room.member_removed";
    public const string UserOnline = "user.online";
    public const string UserOffline = "user.offline";
    public const string RoomOccupied = "room.occupied";
    public const string RoomVacated = "room.vacated";
#pragma warning restore CS1591

    /// <summary>Every event type an endpoint may subscribe to.</summary>
    public static readonly IReadOnlyList<string> All =
        [MessageCreated, RoomCreated, RoomMemberAdded, RoomMemberRemoved, UserOnline, UserOffline, RoomOccupied, RoomVacated];
}
