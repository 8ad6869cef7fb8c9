using Microsoft.Extensions.Hosting;

namespace RealtimeAspire.Tests.Auth;

/// <summary>The JWT path's in-memory copy of the revoked subjects: an end time, and the event that closes connections.</summary>
public sealed class RevokedSubjectsTests
{
    private readonly ManualClock _clock = new();

    [Fact]
    public void A_subject_is_refused_until_its_end_or_for_good_and_the_event_fires_once_when_it_starts()
    {
        var revoked = new RevokedSubjects(_clock);
        var raised = new List<string>();
        revoked.Revoked += raised.Add;

        revoked.Set("user-1", _clock.GetUtcNow().AddMinutes(5).ToUnixTimeMilliseconds());
        revoked.Set("user-1", _clock.GetUtcNow().AddMinutes(10).ToUnixTimeMilliseconds());
        revoked.Set("client:old", 0);
        var whileBlocked = (revoked.IsRevoked("user-1"), revoked.IsRevoked("client:old"), revoked.IsRevoked("user-2"));
        _clock.Advance(TimeSpan.FromMinutes(11));

        Assert.Equal((true, true, false), whileBlocked);
        Assert.False(revoked.IsRevoked("user-1"));
        Assert.True(revoked.IsRevoked("client:old"));
        Assert.Equal(["user-1", "client:old"], raised);
    }

    [Fact]
    public void A_reload_replaces_everything_and_announces_only_the_new_ones()
    {
        var revoked = new RevokedSubjects(_clock);
        var raised = new List<string>();
        revoked.Set("kept", 0);
        revoked.Set("dropped", 0);
        revoked.Revoked += raised.Add;
        var past = _clock.GetUtcNow().AddMinutes(-1).ToUnixTimeMilliseconds();

        revoked.ReplaceAll(new Dictionary<string, long> { ["kept"] = 0, ["missed"] = 0, ["expired"] = past });
        revoked.Set("kept", null);

        Assert.Equal(["missed"], raised);
        Assert.Equal((false, false, true, false), (revoked.IsRevoked("kept"), revoked.IsRevoked("dropped"), revoked.IsRevoked("missed"), revoked.IsRevoked("expired")));
        Assert.False(revoked.IsRevoked(null));
    }
}
