using System.Text;
using System.Text.Json;
using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.Contracts;

namespace RealtimeAspire.Tests.Connection;

/// <summary>The <c>data</c> of a client's <c>message</c> (protocol.md §5), parsed from <c>/ws</c> and checked from the hub.</summary>
public sealed class ClientFrameDataTests
{
    private const int MaxDataBytes = 16 * 1024;

    private readonly ClientFrameParser _parser = new(maxContentLength: 4000, maxDataBytes: MaxDataBytes);

    private ParseResult Parse(string json) => _parser.Parse(Encoding.UTF8.GetBytes(json));

    /// <summary>A data object whose JSON is exactly <paramref name="bytes"/> long.</summary>
    private static string DataOf(int bytes) => $$"""{"f":"{{new string('x', bytes - 8)}}"}""";

    [Fact]
    public void Data_beside_or_instead_of_content_is_read_as_sent()
    {
        var both = Parse("""{"type":"message","room":"r","content":"hi","data":{"n":1.50,"a":[1,{"b":null}]}}""");
        var only = Parse("""{"type":"message","room":"r","data":{"k":"v"},"id":"c-1"}""");

        Assert.Equal("hi", both.Frame!.Content);
        Assert.Equal("""{"n":1.50,"a":[1,{"b":null}]}""", both.Frame.Data!.Value.GetRawText());
        Assert.Null(only.Frame!.Content);
        Assert.Equal("v", only.Frame.Data!.Value.GetProperty("k").GetString());
        Assert.Equal("c-1", only.Id);
    }

    [Fact]
    public void Data_of_exactly_the_limit_passes_and_one_byte_more_is_data_too_large()
    {
        Assert.Equal(MaxDataBytes, Encoding.UTF8.GetByteCount(DataOf(MaxDataBytes)));

        var atLimit = Parse($$"""{"type":"message","room":"r","data":{{DataOf(MaxDataBytes)}}}""");
        var over = Parse($$"""{"type":"message","room":"r","data":{{DataOf(MaxDataBytes + 1)}},"id":"c-2"}""");

        Assert.Null(atLimit.ErrorCode);
        Assert.Equal((ErrorCodes.DataTooLarge, "c-2"), (over.ErrorCode, over.Id));
    }

    [Theory]
    [InlineData("""{"type":"message","room":"r","data":[1,2]}""")]
    [InlineData("""{"type":"message","room":"r","data":"text"}""")]
    [InlineData("""{"type":"message","room":"r","data":5}""")]
    [InlineData("""{"type":"message","room":"r","data":true,"content":"hi"}""")]
    [InlineData("""{"type":"message","room":"r"}""")]
    [InlineData("""{"type":"message","room":"r","data":null}""")]
    [InlineData("""{"type":"message","room":"r","data":{"a":"\u0000"}}""")]
    [InlineData("""{"type":"message","room":"r","data":{"a":1},"data":{"a":2}}""")]
    public void Data_that_is_not_an_object_or_a_message_with_neither_field_is_invalid_message(string json) =>
        Assert.Equal(ErrorCodes.InvalidMessage, Parse(json).ErrorCode);

    [Fact]
    public void The_hub_s_typed_data_is_checked_by_the_same_rules()
    {
        ParseResult Check(string? data) => _parser.Check(new ClientFrame(ClientFrameType.Message)
        {
            Room = "r",
            Data = data is null ? null : JsonElement.Parse(data),
            Id = "c-1",
        });

        Assert.Null(Check("""{"a":1}""").ErrorCode);
        Assert.Equal(ErrorCodes.InvalidMessage, Check("[1]").ErrorCode);
        Assert.Equal(ErrorCodes.InvalidMessage, Check(null).ErrorCode);
        Assert.Equal(ErrorCodes.DataTooLarge, Check(DataOf(MaxDataBytes + 1)).ErrorCode);
        Assert.Null(Check(DataOf(MaxDataBytes)).ErrorCode);
    }
}
