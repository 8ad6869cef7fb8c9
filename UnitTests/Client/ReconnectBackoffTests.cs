using RealtimeAspire.Client;

namespace RealtimeAspire.Tests.Client;

public sealed class ReconnectBackoffTests
{
    [Fact]
    public void Delays_are_full_jitter_below_an_exponential_ceiling_with_a_cap()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), new Random(1));

        var delays = Enumerable.Range(0, 12).Select(_ => backoff.NextDelay().TotalMilliseconds).ToList();

        for (var attempt = 0; attempt < delays.Count; attempt++)
        {
            Assert.InRange(delays[attempt], 0, Math.Min(1000, 100 * Math.Pow(2, attempt)));
        }

        Assert.True(delays.Skip(4).Any(d => d > 200), "later delays should use the larger ceiling");
    }

    [Fact]
    public void Reset_starts_again_from_the_base_delay()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), new Random(2));
        for (var i = 0; i < 10; i++)
        {
            backoff.NextDelay();
        }

        backoff.Reset();

        Assert.InRange(backoff.NextDelay().TotalMilliseconds, 0, 100);
    }
}
