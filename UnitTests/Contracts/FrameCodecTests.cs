using System.Text;
using System.Text.Json;
using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.Tests.Contracts;

/// <summary>The one frame codec: every frame of protocol v1 survives encode → decode, and reads as protocol.md writes it.</summary>
public sealed class FrameCodecTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);

    private static readonly MessageFrame Message = new("general", "0190a0b0-0000-7000-8000-000000000001", 17, "u-1", "alice", "say \"hi\" to @bob\n", At);

    public static TheoryData<IServerFrame> ServerFrames() =>
    [
        new WelcomeFrame("r1.c1", 30_000, FrameTypes.ProtocolName),
        new AuthSuccessFrame("u-1", "alice", "r1.c1"),
        new AuthFailedFrame("The token has expired."),
        new JoinedFrame("general", 41, true, [new PresenceMember("u-1", "alice"), new PresenceMember("u-2", "bob")]),
        new LeftFrame("general"),
        new AckFrame("c-1", "general", Message.MessageId, 17),
        new AckFrame(null, "general", Message.MessageId, 17),
        Message,
        new RoomUserFrame(FrameTypes.UserJoined, "general", "u-2", "bob"),
        new RoomUserFrame(FrameTypes.UserLeft, "general", "u-2", "bob"),
        new RoomUserFrame(FrameTypes.UserTyping, "general", "u-2", "bob"),
        new PresenceFrame("general", [new PresenceMember("u-1", "alice")]),
        new PongFrame(At),
        new NotificationFrame(FrameTypes.MentionKind, Message),
        new ErrorFrame("rate_limited", "Too many messages.", "c-1", 1_500),
        new ErrorFrame("not_joined", "You have not joined this room."),
        new MessageEditedFrame("general", 18, Message.MessageId, "say \"hello\"", null, At, "u-1"),
        new MessageEditedFrame("general", 18, Message.MessageId, null, JsonDocument.Parse("""{"x":1}""").RootElement, At, "u-1"),
        new MessageDeletedFrame("general", 19, Message.MessageId, "u-2"),
        new ReactionFrame("general", 20, Message.MessageId, "👍🏽", "u-2", ReactionFrame.Add),
        new ReactionFrame("general", 21, Message.MessageId, "👍🏽", "u-2", ReactionFrame.Remove),
        Message with { EditedAt = At },
        Message with { Content = null, Deleted = true },
        new ReadFrame("general", 17),
        new ReceiptFrame("general", "u-2", "bob", 17),
    ];

    public static TheoryData<IClientFrame> ClientFrames() =>
    [
        new AuthRequest("eyJ.token"),
        new JoinRequest("general", 40),
        new JoinRequest("general"),
        new LeaveRequest("general"),
        new LeaveRequest("general", true),
        new ReadRequest("general", 17),
        new MessageRequest("general", "hello", "c-1"),
        new MessageRequest("general", "hello"),
        new TypingRequest("general"),
        new PresenceRequest("general"),
        new PingRequest(),
        new EditRequest("general", Message.MessageId, "fixed", "c-2"),
        new DeleteRequest("general", Message.MessageId),
        new ReactionRequest(FrameTypes.React, "general", Message.MessageId, "🎉", "c-3"),
        new ReactionRequest(FrameTypes.Unreact, "general", Message.MessageId, "🎉"),
    ];

    [Theory]
    [MemberData(nameof(ServerFrames))]
    public void Every_server_frame_decodes_to_what_was_encoded_and_starts_with_its_type(IServerFrame frame)
    {
        var json = Encode(frame);

        Assert.Equal(frame, FrameCodec.DecodeServerFrame(json));
        Assert.StartsWith($"{{\"type\":\"{frame.Type}\"", Encoding.UTF8.GetString(json));
    }

    [Theory]
    [MemberData(nameof(ClientFrames))]
    public void Every_client_frame_decodes_to_what_was_encoded_and_starts_with_its_type(IClientFrame frame)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(frame, frame.GetType(), FrameJsonContext.Default);

        Assert.Equal(frame, FrameCodec.DecodeClientFrame(json));
        Assert.StartsWith($"{{\"type\":\"{frame.Type}\"", Encoding.UTF8.GetString(json));
    }

    [Fact]
    public void Frames_are_written_as_the_server_has_always_written_them()
    {
        Assert.Equal("""{"type":"error","code":"not_joined","message":"no"}""", Text(new ErrorFrame("not_joined", "no")));
        Assert.Equal("""{"type":"welcome","connectionId":"r.c","heartbeatIntervalMs":30000,"protocol":"realtime.v1"}""",
            Text(new WelcomeFrame("r.c", 30000, FrameTypes.ProtocolName)));
        Assert.Equal("""{"type":"ack","id":"c1","room":"r","messageId":"m","seq":3}""", Text(new AckFrame("c1", "r", "m", 3)));
        Assert.Equal("""{"type":"ack","room":"r","messageId":"m","seq":3}""", Text(new AckFrame(null, "r", "m", 3)));
        Assert.Equal("""{"type":"pong","ts":"2026-01-02T03:04:05.678Z"}""", Text(new PongFrame(At)));
        Assert.Equal("""{"type":"reaction","room":"r","seq":4,"messageId":"m","emoji":"x","userId":"u","op":"add"}""",
            Text(new ReactionFrame("r", 4, "m", "x", "u", ReactionFrame.Add)));
        Assert.Equal("""{"type":"message_deleted","room":"r","seq":5,"messageId":"m","userId":"u"}""", Text(new MessageDeletedFrame("r", 5, "m", "u")));
        Assert.Equal(
            """{"type":"message","room":"r","messageId":"m","seq":1,"userId":"u","username":"alice","timestamp":"2026-01-02T03:04:05.678Z","editedAt":"2026-01-02T03:04:05.678Z","reactions":{"x":2}}""",
            Text(new MessageFrame("r", "m", 1, "u", "alice", null, At) { EditedAt = At, Reactions = new Dictionary<string, int> { ["x"] = 2 } }));
        Assert.Equal(
            """{"type":"message","room":"r","messageId":"m-1","seq":17,"userId":"u-1","username":"alice","content":"say \u0022hi\u0022\n","timestamp":"2026-01-02T03:04:05.678Z"}""",
            Text(new MessageFrame("r", "m-1", 17, "u-1", "alice", "say \"hi\"\n", At)));
    }

    [Fact]
    public void The_examples_of_protocol_md_decode_with_their_fields()
    {
        var message = FrameCodec.DecodeServerFrame("""
            {"type":"message","room":"general","messageId":"m-1","seq":5,"userId":"u-1","username":"alice","content":"hi","timestamp":"2026-01-02T03:04:05.678Z"}
            """u8);
        var error = FrameCodec.DecodeServerFrame("""{"type":"error","code":"rate_limited","message":"slow","retryAfterMs":250}"""u8);
        var joined = FrameCodec.DecodeServerFrame("""{"type":"joined","room":"general","seq":5,"recovered":false,"members":[{"userId":"u-1","username":"alice"}]}"""u8);
        var notification = FrameCodec.DecodeServerFrame("""
            {"type":"notification","kind":"mention","message":{"type":"message","room":"general","messageId":"m-1","seq":5,"userId":"u-1","username":"alice","content":"@bob","timestamp":"2026-01-02T03:04:05.678Z"}}
            """u8);

        Assert.Equal(new MessageFrame("general", "m-1", 5, "u-1", "alice", "hi", At), message);
        Assert.Equal(new ErrorFrame("rate_limited", "slow", null, 250), error);
        Assert.Equal(new JoinedFrame("general", 5, false, [new PresenceMember("u-1", "alice")]), joined);
        Assert.Equal("@bob", Assert.IsType<NotificationFrame>(notification).Message.Content);
        Assert.Equal(new JoinRequest("general", 4), FrameCodec.DecodeClientFrame("""{"room":"general","since":4,"type":"join"}"""u8));
        Assert.Equal(new PingRequest(), FrameCodec.DecodeClientFrame("""{"type":"ping"}"""u8));
    }

    [Fact]
    public void Unknown_types_decode_to_null_and_frames_without_a_type_are_refused()
    {
        Assert.Null(FrameCodec.DecodeServerFrame("""{"type":"message_pinned","room":"r"}"""u8));
        Assert.Null(FrameCodec.DecodeClientFrame("""{"type":"pin"}"""u8));
        Assert.Throws<JsonException>(() => FrameCodec.DecodeServerFrame("""{"room":"r"}"""u8));
        Assert.Throws<JsonException>(() => FrameCodec.DecodeServerFrame("[1]"u8));
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(17L)]
    [InlineData(9_007_199_254_740_993L)]
    public void The_message_and_ack_split_around_seq_put_together_equal_their_plain_encoding(long seq)
    {
        var message = Message with { Seq = seq };
        var ack = new AckFrame("c-1", message.Room, message.MessageId, seq);

        Assert.Equal(Text(message), FrameCodec.SpliceAroundSeq(message).Complete(seq));
        Assert.Equal(Text(ack), FrameCodec.SpliceAroundSeq(ack).Complete(seq));
        Assert.Equal(Text(ack with { Id = null }), FrameCodec.SpliceAroundSeq(ack with { Id = null }).Complete(seq));
    }

    [Fact]
    public void A_content_that_spells_a_seq_field_does_not_move_the_splice()
    {
        var message = Message with { Content = "\"seq\":0,\"x\":" };

        Assert.Equal(Text(message with { Seq = 8 }), FrameCodec.SpliceAroundSeq(message).Complete(8));
    }

    [Fact]
    public void The_header_reads_type_seq_user_and_timestamp_wherever_they_stand_and_survives_a_broken_frame()
    {
        var header = FrameCodec.ReadHeader(Encode(Message));
        var reordered = FrameCodec.ReadHeader("""{"userId":"u7","seq":3,"type":"user_typing"}"""u8);
        var broken = FrameCodec.ReadHeader("""{"type":"message","seq":4,"room":"""u8);

        Assert.Equal(new FrameHeader(FrameTypes.Message, 17, "u-1", At), header);
        Assert.Equal(new FrameHeader(FrameTypes.UserTyping, 3, "u7", null), reordered);
        Assert.Equal(new FrameHeader(FrameTypes.Message, 4, null, null), broken);
        Assert.Equal(default, FrameCodec.ReadHeader("not json"u8));
    }

    [Fact]
    public void The_envelope_carries_the_traceparent_and_the_json_and_shares_the_payload()
    {
        var json = Encode(Message);
        var payload = Envelope.Encode("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", json);
        var (traceParent, body) = Envelope.Decode(payload);
        var (noTrace, bodyText) = Envelope.Decode(Envelope.Encode(null, "{\"type\":\"kick\"}"));

        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", traceParent);
        Assert.Equal(json, body.ToArray());
        Assert.Equal(Message, FrameCodec.Decode<MessageFrame>(body.Span));
        Assert.Equal(("", "{\"type\":\"kick\"}"), (noTrace, bodyText));
        Assert.Equal("", Envelope.Decode(Encoding.UTF8.GetBytes("{\"type\":\"x\"}")).TraceParent);
    }

    [Fact]
    public void A_control_order_round_trips_without_its_absent_fields()
    {
        var kick = new ControlOrder(ControlOrder.Kick, Room: "r", UserId: "u-1");

        Assert.Equal("""{"type":"kick","room":"r","userId":"u-1"}""", FrameCodec.EncodeToString(kick));
        Assert.Equal(kick, FrameCodec.Decode<ControlOrder>(FrameCodec.Encode(kick)));
    }

    private static byte[] Encode(IServerFrame frame) => JsonSerializer.SerializeToUtf8Bytes(frame, frame.GetType(), FrameJsonContext.Default);

    private static string Text<T>(T frame) where T : notnull => FrameCodec.EncodeToString(frame);
}
