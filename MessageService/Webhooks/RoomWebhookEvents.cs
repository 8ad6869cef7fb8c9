using RealtimeAspire.MessageService.Data;

namespace RealtimeAspire.MessageService.Webhooks;

/// <summary>The webhook events of the rooms API's changes, written with them in one transaction.</summary>
public static class RoomWebhookEvents
{
    public static NewWebhookEvent Created(Room room) =>
        NewWebhookEvent.OfRoom(WebhookEventTypes.RoomCreated, room.Id,
            new WebhookEventData.RoomCreated(room.Id, room.Visibility.ToProtocol(), room.OwnerId,
                [.. room.Members.Select(m => new WebhookEventData.Member(m.UserId, m.Username))]),
            room.CreatedAt);

    public static NewWebhookEvent MemberAdded(RoomMember member) =>
        NewWebhookEvent.OfRoom(WebhookEventTypes.RoomMemberAdded, member.RoomId,
            new WebhookEventData.RoomMember(member.RoomId, member.UserId, member.Username), member.AddedAt);

    public static NewWebhookEvent MemberRemoved(RoomMember member, DateTimeOffset removedAt) =>
        NewWebhookEvent.OfRoom(WebhookEventTypes.RoomMemberRemoved, member.RoomId,
            new WebhookEventData.RoomMember(member.RoomId, member.UserId, member.Username), removedAt);
}
