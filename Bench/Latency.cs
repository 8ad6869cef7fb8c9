namespace RealtimeAspire.Bench;

/// <summary>Latency samples (ms) of one stage, summarised like the shared load generator does.</summary>
internal sealed class Latency
{
    private readonly List<double> _samples = [];

    public int Count
    {
        get
        {
            lock (_samples)
            {
                return _samples.Count;
            }
        }
    }

    public void Add(double milliseconds)
    {
        lock (_samples)
        {
            _samples.Add(milliseconds);
        }
    }

    public LatencySummary Summarise()
    {
        double[] sorted;
        lock (_samples)
        {
            sorted = [.. _samples];
        }

        Array.Sort(sorted);
        double? At(double p) => sorted.Length == 0 ? null : Math.Round(sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))], 2);
        return new LatencySummary(sorted.Length, At(0.5), At(0.9), At(0.99), At(0.999), sorted.Length == 0 ? null : Math.Round(sorted[^1], 2));
    }
}

internal sealed record LatencySummary(int N, double? P50, double? P90, double? P99, double? P999, double? Max);
