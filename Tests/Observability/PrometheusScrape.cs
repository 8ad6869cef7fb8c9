using System.Globalization;
using System.Text.RegularExpressions;

namespace RealtimeAspire.Tests.Observability;

/// <summary>One scrape of a /metrics endpoint in Prometheus text format: samples by name and labels.</summary>
public sealed partial class PrometheusScrape
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = [];

    private PrometheusScrape(string text)
    {
        Text = text;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('#') || SampleLine().Match(line) is not { Success: true } sample
                || !double.TryParse(sample.Groups["value"].Value, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            var labels = LabelPair().Matches(sample.Groups["labels"].Value)
                .ToDictionary(pair => pair.Groups["key"].Value, pair => pair.Groups["value"].Value);
            _samples.Add((sample.Groups["name"].Value, labels, value));
        }
    }

    public string Text { get; }

    public static async Task<PrometheusScrape> ReadAsync(HttpClient client)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return new PrometheusScrape(await client.GetStringAsync("/metrics", timeout.Token));
    }

    public bool Has(string name) => _samples.Any(sample => sample.Name == name);

    /// <summary>The sum of every sample of <paramref name="name"/> whose labels include <paramref name="labels"/>.</summary>
    public double Sum(string name, params (string Key, string Value)[] labels) =>
        _samples.Where(sample => sample.Name == name && labels.All(label =>
                sample.Labels.TryGetValue(label.Key, out var value) && value == label.Value))
            .Sum(sample => sample.Value);

    public IEnumerable<string> LabelValues(string name, string key) =>
        _samples.Where(sample => sample.Name == name && sample.Labels.ContainsKey(key)).Select(sample => sample.Labels[key]).Distinct();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+\d+)?\s*$")]
    private static partial Regex SampleLine();

    [GeneratedRegex("(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=\"(?<value>(?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex LabelPair();
}
