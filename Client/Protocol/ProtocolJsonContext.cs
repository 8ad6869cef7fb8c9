using System.Text.Json;
using System.Text.Json.Serialization;

namespace RealtimeAspire.Client.Protocol;

[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AuthRequest))]
[JsonSerializable(typeof(JoinRequest))]
[JsonSerializable(typeof(RoomRequest))]
[JsonSerializable(typeof(MessageRequest))]
[JsonSerializable(typeof(PingRequest))]
[JsonSerializable(typeof(WelcomeFrame))]
[JsonSerializable(typeof(AuthSuccessFrame))]
[JsonSerializable(typeof(AuthFailedFrame))]
[JsonSerializable(typeof(JoinedRoom))]
[JsonSerializable(typeof(LeftFrame))]
[JsonSerializable(typeof(MessageAck))]
[JsonSerializable(typeof(ChatMessage))]
[JsonSerializable(typeof(UserJoined))]
[JsonSerializable(typeof(UserLeft))]
[JsonSerializable(typeof(UserTyping))]
[JsonSerializable(typeof(Notification))]
[JsonSerializable(typeof(RoomPresence))]
[JsonSerializable(typeof(ServerError))]
internal sealed partial class ProtocolJsonContext : JsonSerializerContext;
