using System.Text.Json;

namespace RealtimeAspire.Tests;

/// <summary>The unit tests stay runnable without a system: nothing that starts the AppHost or a browser is a dependency.</summary>
public sealed class UnitProjectTests
{
    [Fact]
    public void Neither_the_apphost_nor_aspire_hosting_nor_a_browser_driver_is_a_dependency()
    {
        using var deps = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "UnitTests.deps.json")));
        var libraries = deps.RootElement.GetProperty("libraries").EnumerateObject().Select(library => library.Name).ToList();

        Assert.Contains(libraries, name => name.StartsWith("RealtimeAspire.Contracts/", StringComparison.Ordinal));
        Assert.DoesNotContain(libraries, name =>
            name.StartsWith("AppHost/", StringComparison.Ordinal)
            || name.StartsWith("Aspire.Hosting", StringComparison.Ordinal)
            || name.StartsWith("Microsoft.Playwright/", StringComparison.Ordinal));
    }
}
