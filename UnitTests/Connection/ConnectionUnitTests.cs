using System.Text;
using System.Text.Json;
using RealtimeAspire.ConnectionService.Messages;
using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.ConnectionService.Redis;
using RealtimeAspire.ConnectionService.Rooms;
using RedisSchema = RealtimeAspire.Contracts.RedisSchema;
using RealtimeAspire.Contracts;
using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.Tests.Connection;

public sealed class ConnectionUnitTests
{
    [Theory]
    [InlineData("general", 11)]
    [InlineData("", 5)]
    public void Partitions_are_fnv1a_32_of_the_utf8_room_id_modulo_16(string room, int partition) =>
        Assert.Equal(partition, RedisSchema.Partition(room));

    [Fact]
    public void Every_key_of_a_room_carries_its_partition_tag()
    {
        var tag = $"{{rt:p{RedisSchema.Partition("général")}}}";

        Assert.Equal($"{tag}:seq:général", (string)RedisKeys.Seq("général")!);
        Assert.Equal($"{tag}:recent:général", (string)RedisKeys.Recent("général")!);
        Assert.Equal($"{tag}:handoff", (string)RedisKeys.Handoff("général")!);
        Assert.Equal($"{tag}:dedup:général|u1:c1", (string)RedisKeys.Dedup("général", "u1", "c1")!);
        Assert.Equal($"{tag}:presence:général", (string)RedisKeys.Presence("général")!);
        Assert.Equal($"{tag}:room:général", RedisSchema.RoomChannel("général"));
    }

    [Fact]
    public void The_message_frame_put_together_around_its_seq_is_the_documented_json()
    {
        var splice = FrameCodec.SpliceAroundSeq(
            new MessageFrame("r", "m-1", 0, "u-1", "alice", "say \"hi\"\n", new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero)));
        using var frame = JsonDocument.Parse(splice.Complete(17));
        var root = frame.RootElement;

        Assert.Equal(["type", "room", "messageId", "seq", "userId", "username", "content", "timestamp"],
            root.EnumerateObject().Select(property => property.Name));
        Assert.Equal("message", root.GetProperty("type").GetString());
        Assert.Equal(17, root.GetProperty("seq").GetInt64());
        Assert.Equal("say \"hi\"\n", root.GetProperty("content").GetString());
        Assert.Equal("2026-01-02T03:04:05.678Z", root.GetProperty("timestamp").GetString());
    }

    [Fact]
    public void Server_frames_start_with_their_type_and_omit_absent_optional_fields()
    {
        var error = Encoding.UTF8.GetString(Frames.Error(ErrorCodes.NotJoined, "no"));
        var limited = Encoding.UTF8.GetString(Frames.Error(ErrorCodes.RateLimited, "slow down", "c1", 1500));
        var welcome = Encoding.UTF8.GetString(Frames.Welcome("r.c", 30000));

        Assert.Equal("""{"type":"error","code":"not_joined","message":"no"}""", error);
        Assert.Equal("""{"type":"error","code":"rate_limited","message":"slow down","id":"c1","retryAfterMs":1500}""", limited);
        Assert.Equal("""{"type":"welcome","connectionId":"r.c","heartbeatIntervalMs":30000,"protocol":"realtime.v1"}""", welcome);
    }

    [Fact]
    public void Mentions_are_distinct_lower_cased_usernames_not_parts_of_words()
    {
        var mentions = MentionNotifier.FindMentions("@alice hi @Bob_2, mail me at x@carol.com or @alice again; @ab is short", 20);

        Assert.Equal(["alice", "bob_2"], mentions);
    }

    [Fact]
    public void A_room_event_yields_its_frame_bytes_and_seq_without_copying_the_traceparent()
    {
        var payload = Encoding.UTF8.GetBytes("00-abc-def-01\n{\"type\":\"message\",\"room\":\"r\",\"messageId\":\"m\",\"seq\":42,\"userId\":\"u\"}");
        var typing = Encoding.UTF8.GetBytes("\n{\"type\":\"user_typing\",\"room\":\"r\",\"userId\":\"u7\",\"username\":\"x\"}");

        var message = RoomEvent.Parse(payload);
        var typingEvent = RoomEvent.Parse(typing);

        Assert.StartsWith("{\"type\":\"message\"", Encoding.UTF8.GetString(message.Frame.Span));
        Assert.Equal(42, message.Seq);
        Assert.True(typingEvent.IsTyping);
        Assert.Equal(("u7", 0L), (typingEvent.UserId, typingEvent.Seq));
    }

    [Fact]
    public void Connection_members_sort_by_age()
    {
        var older = UserLimits.ConnectionMember("b", DateTimeOffset.FromUnixTimeMilliseconds(999));
        var newer = UserLimits.ConnectionMember("a", DateTimeOffset.FromUnixTimeMilliseconds(1_000_000));

        Assert.True(string.CompareOrdinal(older, newer) < 0);
        Assert.Equal("b", UserLimits.ConnectionIdOf(older));
    }
}
