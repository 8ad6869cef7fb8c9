using RealtimeAspire.Contracts;

namespace RealtimeAspire.Tests.Contracts;

public sealed class PresenceEntryTests
{
    [Fact]
    public void An_entry_is_stored_as_the_documented_json_and_reads_back()
    {
        var entry = new PresenceEntry("u-1", "alice", 1_767_225_600_000);

        var json = entry.Write();

        Assert.Equal("""{"userId":"u-1","username":"alice","expiresAt":1767225600000}""", json);
        Assert.Equal(entry, PresenceEntry.TryRead(json));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    public void A_value_that_is_not_an_entry_reads_as_null(string? json) => Assert.Null(PresenceEntry.TryRead(json));
}
