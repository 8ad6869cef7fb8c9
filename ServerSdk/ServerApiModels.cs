using System.Text.Json;
using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.Server;

#pragma warning disable CS1591 // the fields are protocol.md §6's

/// <summary>A stored message's place in its room: the answer to a publish.</summary>
public sealed record PublishResult(string MessageId, long Seq);

/// <summary>One room's answer in a broadcast.</summary>
public sealed record BroadcastResult(string Room, string MessageId, long Seq);

/// <summary>How many live connections received a user event.</summary>
public sealed record UserEventResult(int Connections);

/// <summary>A room's present users.</summary>
public sealed record RoomPresence(string Room, IReadOnlyList<PresenceMember> Members);

/// <summary>
/// A webhook endpoint; <see cref="Secret"/> is only in the answer that created it, <see cref="Pending"/> and
/// <see cref="Failed"/> (deliveries waiting, and failed for good) only in a listing.
/// </summary>
public sealed record WebhookEndpoint(
    string Id, string Url, IReadOnlyList<string> Events, IReadOnlyList<string>? Rooms, DateTimeOffset CreatedAt,
    string? Secret = null, int Pending = 0, int Failed = 0);

/// <summary>A message to publish: <see cref="Content"/>, <see cref="Data"/> (a JSON object) or both.</summary>
public sealed record ServerMessage(string? Content = null, JsonElement? Data = null, string? IdempotencyKey = null);

internal sealed record PublishRequest(string? Content, JsonElement? Data, string? IdempotencyKey);

internal sealed record BroadcastRequest(IReadOnlyList<string> Rooms, string? Content, JsonElement? Data, string? IdempotencyKey);

internal sealed record BroadcastResponse(IReadOnlyList<BroadcastResult> Results);

internal sealed record UserEventRequest(JsonElement Data);

internal sealed record CreateRoomRequest(string Room, string Visibility, IReadOnlyList<string>? Members, string? Owner);

internal sealed record AddMemberRequest(string Username);

internal sealed record BlockRequest(DateTimeOffset? Until, string? Reason);

internal sealed record CreateWebhookRequest(string Url, IReadOnlyList<string> Events, IReadOnlyList<string>? Rooms);

internal sealed record WebhookList(IReadOnlyList<WebhookEndpoint> Webhooks);

internal sealed record ProblemAnswer(string? Title, string? Detail);
