using ConnectionKeys = RealtimeAspire.ConnectionService.Redis.RedisKeys;
using MessageKeys = RealtimeAspire.MessageService.RedisKeys;

namespace RealtimeAspire.Tests.Contracts;

/// <summary>Pins the Redis key schema both services share: a change of a name or of the partition hash shows here.</summary>
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
    public void A_room_maps_to_fnv1a_32_of_its_utf8_bytes_mod_16(string room, int partition)
    {
        Assert.Equal(partition, ConnectionKeys.Partition(room));
        Assert.Equal(partition, MessageKeys.Partition(room));
    }

    [Fact]
    public void There_are_16_partitions()
    {
        Assert.Equal(16, ConnectionKeys.Partitions);
        Assert.Equal(16, MessageKeys.PartitionCount);
    }

    [Fact]
    public void The_keys_of_a_room_are_these_strings()
    {
        Assert.Equal("{rt:p11}:seq:general", (string)ConnectionKeys.Seq("general")!);
        Assert.Equal("{rt:p11}:recent:general", (string)ConnectionKeys.Recent("general")!);
        Assert.Equal("{rt:p11}:handoff", (string)ConnectionKeys.Handoff("general")!);
        Assert.Equal("{rt:p11}:unstored:general", (string)ConnectionKeys.Unstored("general")!);
        Assert.Equal("{rt:p11}:dedup:u-1:c-1", (string)ConnectionKeys.Dedup("general", "u-1", "c-1")!);
        Assert.Equal("{rt:p11}:presence:general", (string)ConnectionKeys.Presence("general")!);
        Assert.Equal("{rt:p11}:presence-conns:general|u-1", (string)ConnectionKeys.PresenceConnections("general", "u-1")!);
        Assert.Equal("{rt:p15}:seq:général", (string)ConnectionKeys.Seq("général")!);

        Assert.Equal("{rt:p11}:seq:general", MessageKeys.Seq("general"));
        Assert.Equal("{rt:p11}:recent:general", MessageKeys.Recent("general"));
        Assert.Equal("{rt:p11}:handoff", MessageKeys.Handoff(11));
        Assert.Equal("{rt:p11}:unstored:general", MessageKeys.Unstored("general"));
        Assert.Equal("{rt:p11}:presence:general", MessageKeys.Presence("general"));
    }

    [Fact]
    public void The_keys_of_a_user_are_these_strings()
    {
        Assert.Equal("{rt:u:u-1}:conns", (string)ConnectionKeys.UserConnections("u-1")!);
        Assert.Equal("{rt:u:u-1}:rate", (string)ConnectionKeys.UserRate("u-1")!);
    }

    [Fact]
    public void The_channels_and_the_consumer_group_are_these_strings()
    {
        Assert.Equal("rt:room:general", ConnectionKeys.RoomChannel("general").ToString());
        Assert.Equal("rt:user:u-1", ConnectionKeys.UserChannel("u-1").ToString());
        Assert.Equal("rt:control", ConnectionKeys.ControlChannel.ToString());
        Assert.Equal("rt:control", MessageKeys.ControlChannel);
        Assert.Equal("message-service", MessageKeys.HandoffConsumerGroup);
    }
}
