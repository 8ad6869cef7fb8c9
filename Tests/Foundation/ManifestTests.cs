using System.Text.Json;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Foundation;

public sealed class ManifestTests
{
    [Fact]
    public async Task The_manifest_describes_containers_every_project_and_the_external_gateway()
    {
        var manifestPath = Path.Combine(Directory.CreateTempSubdirectory("manifest-").FullName, "aspire-manifest.json");

        var result = await AppHostProcess.RunAsync(TimeSpan.FromMinutes(3),
            "--publisher", "manifest", "--output-path", manifestPath,
            // Publishing describes containers whatever the machine has.
            "--Infrastructure:Mode=local");

        Assert.True(result.ExitCode == 0, result.Errors + result.Output);
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(manifestPath));
        var resources = manifest.RootElement.GetProperty("resources");

        Assert.StartsWith("container.", Type("redis"));
        Assert.StartsWith("container.", Type("postgres"));
        Assert.Contains("--appendonly yes", resources.GetProperty("redis").GetProperty("args").ToString());
        foreach (var database in new[] { "authdb", "messagesdb" })
        {
            Assert.Equal($"{{postgres.connectionString}};Database={database}",
                resources.GetProperty(database).GetProperty("connectionString").GetString());
        }
        foreach (var project in RealtimeAppFixture.ProjectResources)
        {
            Assert.StartsWith("project.", Type(project));
        }

        var gatewayBindings = resources.GetProperty("gateway").GetProperty("bindings");
        Assert.True(gatewayBindings.GetProperty("http").GetProperty("external").GetBoolean());
        // The Gateway's health and metrics endpoint stays inside.
        Assert.False(gatewayBindings.GetProperty("management").TryGetProperty("external", out _));
        foreach (var internalService in RealtimeAppFixture.ProjectResources.Where(name => name != "gateway"))
        {
            var bindings = resources.GetProperty(internalService).GetProperty("bindings");
            Assert.All(bindings.EnumerateObject(), binding =>
                Assert.False(binding.Value.TryGetProperty("external", out var external) && external.GetBoolean(), internalService));
        }

        string Type(string resource) => resources.GetProperty(resource).GetProperty("type").GetString()!;
    }
}
