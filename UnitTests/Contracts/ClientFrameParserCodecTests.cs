using System.Text.Json;
using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.Tests.Contracts;

/// <summary>What the codec writes for a client is what the server's strict parser reads, field for field.</summary>
public sealed class ClientFrameParserCodecTests
{
    public static TheoryData<IClientFrame, ClientFrame> Frames() => new()
    {
        { new AuthRequest("t"), new ClientFrame(ClientFrameType.Auth) { Token = "t" } },
        { new JoinRequest("r", 3), new ClientFrame(ClientFrameType.Join) { Room = "r", Since = 3 } },
        { new JoinRequest("r"), new ClientFrame(ClientFrameType.Join) { Room = "r" } },
        { new LeaveRequest("r"), new ClientFrame(ClientFrameType.Leave) { Room = "r" } },
        { new LeaveRequest("r", true), new ClientFrame(ClientFrameType.Leave) { Room = "r", Forget = true } },
        { new ReadRequest("r", 12), new ClientFrame(ClientFrameType.Read) { Room = "r", Seq = 12 } },
        { new MessageRequest("r", "hi", "c-1"), new ClientFrame(ClientFrameType.Message) { Room = "r", Content = "hi", Id = "c-1" } },
        { new TypingRequest("r"), new ClientFrame(ClientFrameType.Typing) { Room = "r" } },
        { new PresenceRequest("r"), new ClientFrame(ClientFrameType.Presence) { Room = "r" } },
        { new PingRequest(), new ClientFrame(ClientFrameType.Ping) },
    };

    [Theory]
    [MemberData(nameof(Frames))]
    public void Every_encoded_client_frame_parses_to_the_same_fields(IClientFrame frame, ClientFrame parsed)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(frame, frame.GetType(), FrameJsonContext.Default);

        Assert.Equal(parsed, new ClientFrameParser(4_000).Parse(json).Frame);
    }
}
