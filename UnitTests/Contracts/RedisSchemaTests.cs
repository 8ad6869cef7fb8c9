using RealtimeAspire.Contracts;

namespace RealtimeAspire.Tests.Contracts;

/// <summary>Pins the Redis key schema the services share: a change of a name or of the partition hash shows here.</summary>
public sealed class RedisSchemaTests
{
    [Theory]
    [InlineData("general", 11)]
    [InlineData("", 5)]
    [InlineData("a", 12)]
    [InlineData("lobby", 3)]
    [InlineData("général", 15)]
    [InlineData("team.eng:ops_2-b", 6)]
    [InlineData("user:42", 2)]
    public void A_room_maps_to_fnv1a_32_of_its_utf8_bytes_mod_16(string room, int partition) =>
        Assert.Equal(partition, RedisSchema.Partition(room));

    [Fact]
    public void There_are_16_partitions() => Assert.Equal(16, RedisSchema.Partitions);

    [Fact]
    public void The_keys_of_a_room_are_these_strings()
    {
        Assert.Equal("{rt:p11}:seq:general", RedisSchema.Seq("general"));
        Assert.Equal("{rt:p11}:recent:general", RedisSchema.Recent("general"));
        Assert.Equal("{rt:p11}:handoff", RedisSchema.Handoff(11));
        Assert.Equal("{rt:p11}:unstored:general", RedisSchema.Unstored("general"));
        Assert.Equal("{rt:p11}:dedup:general|u-1:c-1", RedisSchema.Dedup("general", "u-1", "c-1"));
        Assert.Equal("{rt:p11}:presence:general", RedisSchema.Presence("general"));
        Assert.Equal("{rt:p11}:presence-conns:general|u-1", RedisSchema.PresenceConnections("general", "u-1"));
        Assert.Equal("{rt:p15}:seq:général", RedisSchema.Seq("général"));
    }

    [Fact]
    public void The_keys_of_a_user_and_of_the_login_throttle_are_these_strings()
    {
        Assert.Equal("{rt:u:u-1}:conns", RedisSchema.UserConnections("u-1"));
        Assert.Equal("{rt:u:u-1}:rate", RedisSchema.UserRate("u-1"));
        Assert.Equal("rt:auth:login:account:alice", RedisSchema.LoginFailuresOfAccount("alice"));
        Assert.Equal("rt:auth:login:address:10.0.0.1", RedisSchema.LoginFailuresOfAddress("10.0.0.1"));
    }

    [Fact]
    public void The_channels_the_consumer_group_and_the_stream_fields_are_these_strings()
    {
        Assert.Equal("{rt:p11}:room:general", RedisSchema.RoomChannel("general"));
        Assert.Equal("rt:user:u-1", RedisSchema.UserChannel("u-1"));
        Assert.Equal("rt:control", RedisSchema.ControlChannel);
        Assert.Equal("message-service", RedisSchema.HandoffConsumerGroup);
        Assert.Equal("m", RedisSchema.FrameField);
        Assert.Equal("tp", RedisSchema.TraceParentField);
    }

    [Fact]
    public void ConnectionService_uses_the_schema_s_names()
    {
        Assert.Equal(RedisSchema.Handoff(RedisSchema.Partition("général")), (string)ConnectionService.Redis.RedisKeys.Handoff("général")!);
    }
}
