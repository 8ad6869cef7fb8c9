using RealtimeAspire.Contracts;
using RealtimeAspire.Contracts.Frames;
using RealtimeAspire.MessageService;
using RealtimeAspire.MessageService.Data;
using RealtimeAspire.MessageService.Persistence;
using StackExchange.Redis;

namespace RealtimeAspire.Tests.Messages;

public sealed class MessageServiceUnitTests
{
    private const string ValidFrame =
        """{"type":"message","room":"general","messageId":"0190a5b3-1c2d-7e4f-8a9b-0c1d2e3f4a5b","seq":7,"userId":"u-1","username":"alice","content":"hi","timestamp":"2025-03-04T05:06:07.089Z"}""";

    [Theory]
    [InlineData("general", true)]
    [InlineData("a", true)]
    [InlineData("team.eng:ops_2-b", true)]
    [InlineData("", false)]
    [InlineData("has space", false)]
    [InlineData("slash/room", false)]
    [InlineData("ümlaut", false)]
    public void Room_ids_follow_the_protocol_pattern(string room, bool valid)
    {
        Assert.Equal(valid, RoomIds.IsValid(room));
    }

    [Fact]
    public void Room_ids_are_at_most_128_characters()
    {
        Assert.True(RoomIds.IsValid(new string('r', 128)));
        Assert.False(RoomIds.IsValid(new string('r', 129)));
    }

    [Fact]
    public void The_user_prefix_is_reserved()
    {
        Assert.True(RoomIds.IsReserved("user:42"));
        Assert.Equal("42", RoomIds.ReservedOwner("user:42"));
        Assert.False(RoomIds.IsReserved("users"));
        Assert.False(RoomIds.IsReserved("general"));
    }

    [Theory]
    [InlineData("", 5)]
    [InlineData("a", 12)]
    [InlineData("general", 11)]
    [InlineData("lobby", 3)]
    public void Rooms_map_to_partitions_by_fnv1a_32_mod_16(string room, int partition)
    {
        Assert.Equal(partition, RedisSchema.Partition(room));
    }

    [Fact]
    public void Keys_carry_the_partition_hash_tag()
    {
        Assert.Equal("{rt:p11}:seq:general", RedisSchema.Seq("general"));
        Assert.Equal("{rt:p11}:presence:general", RedisSchema.Presence("general"));
        Assert.Equal("{rt:p3}:handoff", RedisSchema.Handoff(3));
    }

    [Fact]
    public void A_well_formed_entry_becomes_a_stored_message()
    {
        var entry = HandoffEntry.Parse(11, new StreamEntry("1-0", [new("m", ValidFrame), new("tp", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")]));

        var message = Assert.IsType<StoredMessage>(entry.Message);
        Assert.Equal("general", message.Room);
        Assert.Equal(7, message.Seq);
        Assert.Equal(Guid.Parse("0190a5b3-1c2d-7e4f-8a9b-0c1d2e3f4a5b"), message.MessageId);
        Assert.Equal("u-1", message.UserId);
        Assert.Equal("alice", message.Username);
        Assert.Equal("hi", message.Content);
        Assert.Equal(new DateTimeOffset(2025, 3, 4, 5, 6, 7, 89, TimeSpan.Zero), message.Timestamp);
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", entry.TraceParent);
    }

    [Fact]
    public void A_stored_message_reads_back_as_the_same_frame()
    {
        var message = HandoffEntry.ParseMessage(ValidFrame)!;

        var frame = StoredMessageFrames.From(message);

        Assert.Equal(ValidFrame, FrameCodec.EncodeToString(frame));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("""{"type":"message"}""")]
    [InlineData("""{"type":"typing","room":"general","messageId":"0190a5b3-1c2d-7e4f-8a9b-0c1d2e3f4a5b","seq":7,"userId":"u","username":"a","content":"x","timestamp":"2025-03-04T05:06:07.089Z"}""")]
    [InlineData("""{"type":"message","room":"bad room","messageId":"0190a5b3-1c2d-7e4f-8a9b-0c1d2e3f4a5b","seq":7,"userId":"u","username":"a","content":"x","timestamp":"2025-03-04T05:06:07.089Z"}""")]
    [InlineData("""{"type":"message","room":"general","messageId":"0190a5b3-1c2d-7e4f-8a9b-0c1d2e3f4a5b","seq":0,"userId":"u","username":"a","content":"x","timestamp":"2025-03-04T05:06:07.089Z"}""")]
    [InlineData("""{"type":"message","room":"general","messageId":"not-a-uuid","seq":7,"userId":"u","username":"a","content":"x","timestamp":"2025-03-04T05:06:07.089Z"}""")]
    [InlineData("""{"type":"message","room":"general","messageId":"0190a5b3-1c2d-7e4f-8a9b-0c1d2e3f4a5b","seq":7,"userId":"u","username":"a","content":null,"timestamp":"2025-03-04T05:06:07.089Z"}""")]
    [InlineData("""{"type":"message","room":"general","messageId":"0190a5b3-1c2d-7e4f-8a9b-0c1d2e3f4a5b","seq":7,"userId":"u","username":"a","content":"x","timestamp":"yesterday"}""")]
    public void A_malformed_entry_has_no_message(string json)
    {
        var entry = HandoffEntry.Parse(0, new StreamEntry("1-0", [new("m", json)]));

        Assert.Null(entry.Message);
        Assert.Null(entry.TraceParent);
    }

    [Fact]
    public void Nul_characters_PostgreSQL_cannot_hold_are_replaced_not_dropped()
    {
        var message = HandoffEntry.ParseMessage(ValidFrame.Replace("\"hi\"", "\"a\\u0000b\""))!;

        Assert.Equal("a\uFFFDb", message.Content);
    }

    [Fact]
    public void A_stream_id_tells_when_its_entry_was_written()
    {
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1700000000123), HandoffStreams.WrittenAt("1700000000123-4"));
    }
}
