using System.Text;
using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.Contracts;

namespace RealtimeAspire.Tests.Connection;

/// <summary>The v2 frames <c>edit</c>, <c>delete</c>, <c>react</c>, <c>unreact</c> (protocol.md §7) parse by the same strict rules.</summary>
public sealed class MessageEventFrameParserTests
{
    private readonly ClientFrameParser _parser = new(maxContentLength: 10);

    private ParseResult Parse(string json) => _parser.Parse(Encoding.UTF8.GetBytes(json));

    [Theory]
    [InlineData("""{"type":"edit","room":"r","messageId":"m","content":"fixed","id":"c-1"}""", ClientFrameType.Edit)]
    [InlineData("""{"type":"delete","room":"r","messageId":"m"}""", ClientFrameType.Delete)]
    [InlineData("""{"type":"react","room":"r","messageId":"m","emoji":"👍🏽"}""", ClientFrameType.React)]
    [InlineData("""{"type":"unreact","room":"r","messageId":"m","emoji":":+1:"}""", ClientFrameType.Unreact)]
    public void Each_event_frame_parses_with_its_fields(string json, ClientFrameType type)
    {
        var frame = Parse(json).Frame;

        Assert.NotNull(frame);
        Assert.Equal((type, "r", "m"), (frame.Type, frame.Room, frame.MessageId));
    }

    [Theory]
    [InlineData("""{"type":"edit","room":"r","content":"fixed"}""", ErrorCodes.InvalidMessage)]
    [InlineData("""{"type":"edit","room":"r","messageId":"m"}""", ErrorCodes.InvalidMessage)]
    [InlineData("""{"type":"edit","room":"r","messageId":"m","content":"12345678901"}""", ErrorCodes.ContentTooLong)]
    [InlineData("""{"type":"delete","room":"r","messageId":""}""", ErrorCodes.InvalidMessage)]
    [InlineData("""{"type":"delete","room":"r","messageId":7}""", ErrorCodes.InvalidMessage)]
    [InlineData("""{"type":"delete","room":"bad room","messageId":"m"}""", ErrorCodes.InvalidRoom)]
    [InlineData("""{"type":"react","room":"r","messageId":"m"}""", ErrorCodes.InvalidMessage)]
    [InlineData("""{"type":"react","room":"r","messageId":"m","emoji":""}""", ErrorCodes.InvalidMessage)]
    [InlineData("""{"type":"unreact","room":"r","messageId":"m","emoji":"123456789012345678901234567890123"}""", ErrorCodes.InvalidMessage)]
    public void Bad_event_frames_get_the_protocols_error(string json, string code)
    {
        Assert.Equal(code, Parse(json).ErrorCode);
    }

    [Fact]
    public void An_emoji_is_counted_in_characters_not_utf16_halves()
    {
        var emoji = string.Concat(Enumerable.Repeat("😀", 32));

        Assert.NotNull(Parse($$"""{"type":"react","room":"r","messageId":"m","emoji":"{{emoji}}"}""").Frame);
        Assert.Equal(ErrorCodes.InvalidMessage, Parse($$"""{"type":"react","room":"r","messageId":"m","emoji":"{{emoji}}😀"}""").ErrorCode);
    }
}
