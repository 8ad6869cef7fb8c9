using System.Text;
using System.Text.Json;
using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.Tests.Contracts;

/// <summary>A message's <c>data</c> (protocol.md §5) through the codec: kept as sent, and absent exactly as v1 wrote it.</summary>
public sealed class StructuredDataCodecTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);

    private const string Data = """{"price":101.50,"big":12345678901234567890,"tags":["a",null,true],"nested":{"é":"\u00e9","deep":[{"x":1e3}]}}""";

    private static JsonElement Element(string json) => JsonElement.Parse(json);

    [Fact]
    public void A_message_with_data_decodes_to_the_same_frame_and_keeps_every_value_as_written()
    {
        var frame = new MessageFrame("r", "m-1", 3, "u-1", "alice", null, At, Element(Data));

        var json = FrameCodec.Encode(frame);
        var decoded = Assert.IsType<MessageFrame>(FrameCodec.DecodeServerFrame(json));

        Assert.Equal(frame, decoded);
        Assert.Null(decoded.Content);
        // Numbers keep their text: 101.50 stays 101.50 and a 20-digit integer is not rounded through a double.
        Assert.Contains("\"price\":101.50", Encoding.UTF8.GetString(json));
        Assert.Contains("\"big\":12345678901234567890", Encoding.UTF8.GetString(json));
        Assert.Contains("\"x\":1e3", Encoding.UTF8.GetString(json));
        Assert.DoesNotContain("\"content\"", Encoding.UTF8.GetString(json));
    }

    [Fact]
    public void A_message_without_data_is_written_exactly_as_protocol_v1_wrote_it_under_any_options()
    {
        var frame = new MessageFrame("r", "m-1", 17, "u-1", "alice", "hi", At);
        const string V1 = """{"type":"message","room":"r","messageId":"m-1","seq":17,"userId":"u-1","username":"alice","content":"hi","timestamp":"2026-01-02T03:04:05.678Z"}""";

        Assert.Equal(V1, FrameCodec.EncodeToString(frame));
        // MessageService answers history with ASP.NET Core's default web options, not the frame context.
        var web = JsonSerializer.Serialize(frame, new JsonSerializerOptions(JsonSerializerDefaults.Web));
        Assert.DoesNotContain("\"data\"", web);
    }

    [Fact]
    public void The_seq_splice_of_a_message_with_data_completes_to_its_plain_encoding()
    {
        // A "seq" key inside data must not be taken for the frame's own.
        var frame = new MessageFrame("r", "m-1", 0, "u-1", "alice", "hi", At, Element("""{"seq":99,"inner":{"seq":1}}"""));

        Assert.Equal(FrameCodec.EncodeToString(frame with { Seq = 42 }), FrameCodec.SpliceAroundSeq(frame).Complete(42));
    }

    [Fact]
    public void A_client_message_with_data_round_trips_and_without_it_keeps_its_v1_shape()
    {
        var request = new MessageRequest("r", null, "c-1", Element(Data));

        var json = JsonSerializer.SerializeToUtf8Bytes(request, FrameJsonContext.Default.MessageRequest);

        Assert.Equal(request, FrameCodec.DecodeClientFrame(json));
        Assert.Equal("""{"type":"message","room":"r","content":"hi","id":"c-1"}""",
            JsonSerializer.Serialize(new MessageRequest("r", "hi", "c-1"), FrameJsonContext.Default.MessageRequest));
    }

    [Fact]
    public void Frames_with_different_data_are_different_and_key_order_does_not_matter()
    {
        var a = new MessageFrame("r", "m-1", 3, "u-1", "alice", null, At, Element("""{"a":1,"b":2}"""));

        Assert.Equal(a, a with { Data = Element("""{"b":2,"a":1}""") });
        Assert.NotEqual(a, a with { Data = Element("""{"a":1,"b":3}""") });
        Assert.NotEqual(a, a with { Data = null });
    }

    [Theory]
    [InlineData("""{"a":"x\u0000y"}""")]
    [InlineData("""{"a\u0000":1}""")]
    [InlineData("""{"a":"\ud800"}""")]
    [InlineData("""{"a":[1e400]}""")]
    public void Data_that_jsonb_cannot_hold_is_named(string json) =>
        Assert.NotNull(StructuredData.Unstorable(Element(json)));

    [Fact]
    public void Ordinary_data_is_storable() => Assert.Null(StructuredData.Unstorable(Element(Data)));
}
