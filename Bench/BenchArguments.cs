using System.Globalization;

namespace RealtimeAspire.Bench;

/// <summary><c>--key value</c> flags, like the shared Node load generator's.</summary>
internal sealed class BenchArguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    public BenchArguments(IEnumerable<string> args)
    {
        using var items = args.GetEnumerator();
        string? key = null;
        while (items.MoveNext())
        {
            var item = items.Current;
            if (item.StartsWith("--", StringComparison.Ordinal))
            {
                if (key is not null)
                {
                    _values[key] = "true";
                }

                key = item[2..];
            }
            else if (key is not null)
            {
                _values[key] = item;
                key = null;
            }
            else
            {
                throw new ArgumentException($"Unexpected argument '{item}'.");
            }
        }

        if (key is not null)
        {
            _values[key] = "true";
        }
    }

    public string String(string key, string fallback) => _values.GetValueOrDefault(key, fallback);

    public string? Optional(string key) => _values.GetValueOrDefault(key);

    public bool Flag(string key) => _values.GetValueOrDefault(key) is "true";

    public int Int(string key, int fallback) =>
        _values.TryGetValue(key, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public double Double(string key, double fallback) =>
        _values.TryGetValue(key, out var value) ? double.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public IReadOnlyList<string> List(string key) =>
        _values.TryGetValue(key, out var value) ? value.Split(',', StringSplitOptions.RemoveEmptyEntries) : [];

    public IReadOnlyList<int> Pids(string key) => [.. List(key).Select(p => int.Parse(p, CultureInfo.InvariantCulture))];
}
