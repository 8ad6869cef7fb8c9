using System.Text.Json;
using RealtimeAspire.ConnectionService.Protocol;

namespace RealtimeAspire.Tests.Connection;

/// <summary>A hub call's typed frame is checked exactly as the same frame read from a WebSocket: same frame, same error.</summary>
public sealed class ClientFrameCheckTests
{
    private static readonly ClientFrameParser Parser = new(10);

    public static TheoryData<ClientFrame> Frames() =>
    [
        new ClientFrame(ClientFrameType.Join) { Room = "lobby", Since = 4 },
        new ClientFrame(ClientFrameType.Join) { Room = "lobby", Since = -1 },
        new ClientFrame(ClientFrameType.Join) { Room = null },
        new ClientFrame(ClientFrameType.Join) { Room = "bad room" },
        new ClientFrame(ClientFrameType.Join) { Room = "lobby\n" },
        new ClientFrame(ClientFrameType.Leave) { Room = new string('r', 129) },
        new ClientFrame(ClientFrameType.Message) { Room = "lobby", Content = "hi", Id = "c-1" },
        new ClientFrame(ClientFrameType.Message) { Room = "lobby", Content = "hi", Id = "" },
        new ClientFrame(ClientFrameType.Message) { Room = "lobby", Content = "hi", Id = new string('i', 129) },
        new ClientFrame(ClientFrameType.Message) { Room = "lobby", Content = null, Id = "c-2" },
        new ClientFrame(ClientFrameType.Message) { Room = "lobby", Content = "", Id = "c-3" },
        new ClientFrame(ClientFrameType.Message) { Room = "lobby", Content = "a\0b", Id = "c-4" },
        new ClientFrame(ClientFrameType.Message) { Room = "lobby", Content = new string('x', 11), Id = "c-5" },
        new ClientFrame(ClientFrameType.Message) { Room = "bad room", Content = "hi", Id = "c-6" },
        new ClientFrame(ClientFrameType.Typing) { Room = "lobby" },
        new ClientFrame(ClientFrameType.Presence) { Room = "lobby" },
        new ClientFrame(ClientFrameType.Edit) { Room = "lobby", MessageId = "m-1", Content = "fixed", Id = "c-7" },
        new ClientFrame(ClientFrameType.Edit) { Room = "lobby", MessageId = null, Content = "fixed" },
        new ClientFrame(ClientFrameType.Edit) { Room = "lobby", MessageId = "m-1", Content = new string('x', 11) },
        new ClientFrame(ClientFrameType.Delete) { Room = "lobby", MessageId = "m-1" },
        new ClientFrame(ClientFrameType.Delete) { Room = "lobby", MessageId = new string('m', 65) },
        new ClientFrame(ClientFrameType.React) { Room = "lobby", MessageId = "m-1", Emoji = "👍" },
        new ClientFrame(ClientFrameType.React) { Room = "lobby", MessageId = "m-1", Emoji = "" },
        new ClientFrame(ClientFrameType.Unreact) { Room = "lobby", MessageId = "m-1", Emoji = string.Concat(Enumerable.Repeat("👍", 33)) },
    ];

    [Theory]
    [MemberData(nameof(Frames))]
    public void A_typed_frame_gets_what_its_json_gets(ClientFrame frame)
    {
        Assert.Equal(Parser.Parse(Json(frame)), Parser.Check(frame));
    }

    // The frame as the hub wrote it before it had typed frames: type, then every field, nulls included.
    private static byte[] Json(ClientFrame frame)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", frame.Type.ToString().ToLowerInvariant());
            json.WriteString("room", frame.Room);
            if (frame.Since is { } since)
            {
                json.WriteNumber("since", since);
            }

            if (frame.Type is ClientFrameType.Message or ClientFrameType.Edit)
            {
                json.WriteString("content", frame.Content);
            }

            if (frame.MessageId is not null)
            {
                json.WriteString("messageId", frame.MessageId);
            }

            if (frame.Emoji is not null)
            {
                json.WriteString("emoji", frame.Emoji);
            }

            if (frame.Id is not null)
            {
                json.WriteString("id", frame.Id);
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
