using System.Text;
using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.Contracts;

namespace RealtimeAspire.Tests.Connection;

/// <summary>The v2 fields of protocol.md §7 the parser reads: <c>read</c>'s seq and <c>leave</c>'s forget.</summary>
public sealed class ReadFrameParserTests
{
    private readonly ClientFrameParser _parser = new(maxContentLength: 4000);

    private ParseResult Parse(string json) => _parser.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void A_read_carries_its_room_and_seq()
    {
        var frame = Parse("""{"type":"read","room":"general","seq":42}""").Frame!;

        Assert.Equal((ClientFrameType.Read, "general", 42L), (frame.Type, frame.Room, frame.Seq));
    }

    [Theory]
    [InlineData("""{"type":"read","room":"general"}""", ErrorCodes.InvalidMessage)]
    [InlineData("""{"type":"read","room":"general","seq":-1}""", ErrorCodes.InvalidMessage)]
    [InlineData("""{"type":"read","room":"general","seq":"4"}""", ErrorCodes.InvalidMessage)]
    [InlineData("""{"type":"read","room":"general","seq":1.5}""", ErrorCodes.InvalidMessage)]
    [InlineData("""{"type":"read","seq":4}""", ErrorCodes.InvalidMessage)]
    [InlineData("""{"type":"read","room":"no spaces","seq":4}""", ErrorCodes.InvalidRoom)]
    [InlineData("""{"type":"leave","room":"general","forget":"yes"}""", ErrorCodes.InvalidMessage)]
    public void A_malformed_read_or_forget_is_refused_with_its_code(string json, string code)
    {
        Assert.Equal(code, Parse(json).ErrorCode);
    }

    [Theory]
    [InlineData("""{"type":"leave","room":"general","forget":true}""", true)]
    [InlineData("""{"type":"leave","room":"general","forget":false}""", false)]
    [InlineData("""{"type":"leave","room":"general"}""", false)]
    public void Leave_reads_forget(string json, bool forget)
    {
        Assert.Equal(forget, Parse(json).Frame!.Forget);
    }

    [Fact]
    public void A_hub_read_is_checked_by_the_same_rules()
    {
        var negative = _parser.Check(new ClientFrame(ClientFrameType.Read) { Room = "general", Seq = -3 });
        var missing = _parser.Check(new ClientFrame(ClientFrameType.Read) { Room = "general" });
        var good = _parser.Check(new ClientFrame(ClientFrameType.Read) { Room = "general", Seq = 3 });

        Assert.Equal(ErrorCodes.InvalidMessage, negative.ErrorCode);
        Assert.Equal(ErrorCodes.InvalidMessage, missing.ErrorCode);
        Assert.Equal(3, good.Frame!.Seq);
    }
}
