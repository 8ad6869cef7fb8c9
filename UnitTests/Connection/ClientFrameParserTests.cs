using System.Text;
using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.Contracts;

namespace RealtimeAspire.Tests.Connection;

public sealed class ClientFrameParserTests
{
    private readonly ClientFrameParser _parser = new(maxContentLength: 4000);

    private ParseResult Parse(string json) => _parser.Parse(Encoding.UTF8.GetBytes(json));

    [Theory]
    [InlineData("""{"type":"auth","token":"abc"}""", ClientFrameType.Auth)]
    [InlineData("""{"type":"join","room":"general"}""", ClientFrameType.Join)]
    [InlineData("""{"type":"join","room":"general","since":42}""", ClientFrameType.Join)]
    [InlineData("""{"type":"leave","room":"a.b:c-d_e"}""", ClientFrameType.Leave)]
    [InlineData("""{"type":"message","room":"general","content":"hi","id":"c-1"}""", ClientFrameType.Message)]
    [InlineData("""{"type":"typing","room":"general"}""", ClientFrameType.Typing)]
    [InlineData("""{"type":"presence","room":"general"}""", ClientFrameType.Presence)]
    [InlineData("""{"type":"ping"}""", ClientFrameType.Ping)]
    [InlineData("""{"room":"general","type":"join","extra":{"nested":[1,2,{"x":null}]}}""", ClientFrameType.Join)]
    public void Every_client_type_parses(string json, ClientFrameType type)
    {
        var result = Parse(json);

        Assert.Null(result.ErrorCode);
        Assert.Equal(type, result.Frame!.Type);
    }

    [Fact]
    public void Fields_are_read_with_their_values()
    {
        var frame = Parse("""{"type":"message","room":"r1","content":"h\u00e9llo \ud83d\ude00","id":"x"}""").Frame!;
        var join = Parse("""{"type":"join","room":"r1","since":9007199254740993}""").Frame!;

        Assert.Equal(("r1", "héllo 😀", "x"), (frame.Room, frame.Content, frame.Id));
        Assert.Equal(9007199254740993, join.Since);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{")]
    [InlineData("{\"type\":\"ping\"")]
    [InlineData("""{"type":"ping"} {"type":"ping"}""")]
    [InlineData("""{"type":"ping"}x""")]
    [InlineData("""{'type':'ping'}""")]
    [InlineData("""{"type":"ping",}""")]
    public void Malformed_json_is_invalid_json(string json) =>
        Assert.Equal(ErrorCodes.InvalidJson, Parse(json).ErrorCode);

    [Fact]
    public void Malformed_utf8_is_invalid_json()
    {
        byte[] bytes = [.. "{\"type\":\"message\",\"room\":\"r\",\"content\":\""u8, 0xC3, 0x28, .. "\"}"u8];

        Assert.Equal(ErrorCodes.InvalidJson, _parser.Parse(bytes).ErrorCode);
    }

    [Fact]
    public void Deep_nesting_is_refused_without_an_exception()
    {
        var json = "{\"type\":\"ping\",\"x\":" + new string('[', 5000) + new string(']', 5000) + "}";

        Assert.Equal(ErrorCodes.InvalidJson, Parse(json).ErrorCode);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("42")]
    [InlineData("\"ping\"")]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("""{"type":7}""")]
    [InlineData("""{"type":null}""")]
    [InlineData("""{"type":"auth"}""")]
    [InlineData("""{"type":"auth","token":""}""")]
    [InlineData("""{"type":"auth","token":5}""")]
    [InlineData("""{"type":"join"}""")]
    [InlineData("""{"type":"join","room":5}""")]
    [InlineData("""{"type":"join","room":"r","since":-1}""")]
    [InlineData("""{"type":"join","room":"r","since":1.5}""")]
    [InlineData("""{"type":"join","room":"r","since":"3"}""")]
    [InlineData("""{"type":"message","room":"r"}""")]
    [InlineData("""{"type":"message","room":"r","content":""}""")]
    [InlineData("""{"type":"message","room":"r","content":["hi"]}""")]
    [InlineData("""{"type":"message","room":"r","content":"hi","id":7}""")]
    [InlineData("""{"type":"message","room":"r","content":"hi","id":""}""")]
    [InlineData("""{"type":"ping","type":"ping"}""")]
    [InlineData("""{"type":"leave"}""")]
    [InlineData("""{"type":"typing","room":{}}""")]
    public void Wrong_types_and_missing_fields_are_invalid_message(string json) =>
        Assert.Equal(ErrorCodes.InvalidMessage, Parse(json).ErrorCode);

    [Theory]
    [InlineData("""{"type":"subscribe","room":"r"}""")]
    [InlineData("""{"type":"PING"}""")]
    [InlineData("""{"type":""}""")]
    public void Unknown_types_are_unknown_type(string json) =>
        Assert.Equal(ErrorCodes.UnknownType, Parse(json).ErrorCode);

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("slash/room")]
    [InlineData("émoji")]
    [InlineData("line\n")]
    public void Bad_room_ids_are_invalid_room(string room)
    {
        var json = $$"""{"type":"join","room":{{System.Text.Json.JsonSerializer.Serialize(room)}}}""";

        Assert.Equal(ErrorCodes.InvalidRoom, Parse(json).ErrorCode);
    }

    [Fact]
    public void A_room_id_of_129_characters_is_invalid_and_of_128_valid()
    {
        Assert.Equal(ErrorCodes.InvalidRoom, Parse($$"""{"type":"join","room":"{{new string('a', 129)}}"}""").ErrorCode);
        Assert.Null(Parse($$"""{"type":"join","room":"{{new string('a', 128)}}"}""").ErrorCode);
    }

    [Fact]
    public void Content_is_limited_to_4000_characters_counted_as_code_points()
    {
        var longest = Parse($$"""{"type":"message","room":"r","content":"{{new string('x', 4000)}}"}""");
        var tooLong = Parse($$"""{"type":"message","room":"r","content":"{{new string('x', 4001)}}","id":"m1"}""");
        var emoji = Parse($$"""{"type":"message","room":"r","content":"{{string.Concat(Enumerable.Repeat("😀", 4000))}}"}""");

        Assert.Null(longest.ErrorCode);
        Assert.Equal(ErrorCodes.ContentTooLong, tooLong.ErrorCode);
        Assert.Equal("m1", tooLong.Id);
        Assert.Null(emoji.ErrorCode);
    }

    [Fact]
    public void Errors_carry_the_client_id_when_it_could_be_read()
    {
        var result = Parse("""{"type":"message","room":"bad room","content":"x","id":"abc"}""");

        Assert.Equal((ErrorCodes.InvalidRoom, "abc"), (result.ErrorCode, result.Id));
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(1234);
        var seeds = new[] { """{"type":"message","room":"r","content":"hello","id":"1","since":3}""" };
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(seeds[0]);
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            var result = _parser.Parse(bytes.AsSpan(0, random.Next(bytes.Length + 1)));

            Assert.True(result.Frame is not null || result.ErrorCode is not null);
        }
    }
}
