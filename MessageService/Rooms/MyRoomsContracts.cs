using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.MessageService.Rooms;

/// <summary>One room of <c>GET /api/rooms</c>; <see cref="LastMessage"/> is the latest message frame as history returns it.</summary>
public sealed record MyRoomResponse(string Room, string Visibility, long LastSeq, MessageFrame? LastMessage, long ReadSeq, int Unread);

public sealed record MyRoomsResponse(IReadOnlyList<MyRoomResponse> Rooms);

public sealed record ReadRequestBody(long? Seq);

public sealed record RoomReadResponse(string UserId, string Username, long Seq);

public sealed record RoomReadsResponse(IReadOnlyList<RoomReadResponse> Reads);
