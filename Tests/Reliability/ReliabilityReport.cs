using System.Text.Json;
using Xunit.Abstractions;

namespace RealtimeAspire.Tests.Reliability;

/// <summary>
/// The figures of one reliability scenario, in the order they were set: printed to the test log and written to
/// <c>artifacts/reliability/&lt;scenario&gt;.json</c> at the repository root (docs/reliability.md quotes them).
/// </summary>
public sealed class ReliabilityReport(string scenario, ITestOutputHelper output)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerOptions.Web) { WriteIndented = true };

    private readonly OrderedDictionary<string, object?> _figures = new(StringComparer.Ordinal);

    public string Scenario { get; } = scenario;

    /// <summary>Whether the long variants run (<c>RELIABILITY_LONG=1</c>): bigger counts, longer runs.</summary>
    public static bool Long => Environment.GetEnvironmentVariable("RELIABILITY_LONG") == "1";

    /// <summary>The CI count, or the long one when <see cref="Long"/>.</summary>
    public static int Count(int ci, int @long) => Long ? @long : ci;

    public ReliabilityReport Set(string name, object? value)
    {
        _figures[name] = value;
        return this;
    }

    /// <summary>Prints the figures and writes the JSON file; returns its path.</summary>
    public string Write()
    {
        var document = new OrderedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["scenario"] = Scenario,
            ["long"] = Long,
            ["finishedAt"] = DateTimeOffset.UtcNow,
        };
        foreach (var (name, value) in _figures)
        {
            document[name] = value;
        }

        var json = JsonSerializer.Serialize(document, Json);
        var folder = Path.Combine(RepositoryRoot(), "artifacts", "reliability");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{Scenario}.json");
        File.WriteAllText(path, json);
        output.WriteLine($"{Scenario}: {json}");
        return path;
    }

    /// <summary>The folder holding RealtimeAspire.sln, found by walking up from the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "RealtimeAspire.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No RealtimeAspire.sln above {AppContext.BaseDirectory}.");
    }
}
