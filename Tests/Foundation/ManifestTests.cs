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

    [Fact]
    public async Task With_Redis_cluster_the_manifest_describes_one_logical_redis_over_six_node_containers_and_their_setup()
    {
        var manifestPath = Path.Combine(Directory.CreateTempSubdirectory("manifest-").FullName, "aspire-manifest.json");

        var result = await AppHostProcess.RunAsync(TimeSpan.FromMinutes(3),
            "--publisher", "manifest", "--output-path", manifestPath, "--Infrastructure:Mode=local", "--Infrastructure:Redis=cluster");

        Assert.True(result.ExitCode == 0, result.Errors + result.Output);
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(manifestPath));
        var resources = manifest.RootElement.GetProperty("resources");

        var nodes = Enumerable.Range(0, 6).Select(i => $"redis-node-{i}").ToList();
        var connectionString = resources.GetProperty("redis").GetProperty("connectionString").GetString()!;
        foreach (var node in nodes)
        {
            var args = string.Join(" ", resources.GetProperty(node).GetProperty("args").EnumerateArray().Select(arg => arg.GetString()));
            Assert.Contains("--cluster-enabled yes", args);
            Assert.Contains("--appendonly yes", args);
            Assert.Single(resources.GetProperty(node).GetProperty("volumes").EnumerateArray());
            Assert.Contains($"{{{node}.bindings.tcp.host}}:{{{node}.bindings.tcp.port}}", connectionString);
        }

        var setup = resources.GetProperty("redis-setup").GetProperty("args").ToString();
        Assert.Contains($"--cluster create {string.Join(" ", nodes.Select(node => $"{node}:6379"))} --cluster-replicas 1", setup);
        Assert.Equal("{redis.connectionString}",
            resources.GetProperty("message-service").GetProperty("env").GetProperty("ConnectionStrings__redis").GetString());
    }
}
