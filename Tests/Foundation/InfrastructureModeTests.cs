using RealtimeAspire.AppHost.Infrastructure;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Foundation;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class InfrastructureModeTests : IDisposable
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);
    private readonly DirectoryInfo _scripts = Directory.CreateTempSubdirectory("fake-runtime-");

    [Fact]
    public void Auto_chooses_containers_when_the_runtime_answers()
    {
        var runtime = FakeRuntime("answers", "exit 0");

        Assert.Equal(InfrastructureMode.Containers,
            InfrastructureModeResolver.Resolve(InfrastructureMode.Auto, runtime, ProbeTimeout));
    }

    [Theory]
    [InlineData("fails", "echo 'Cannot connect to the Docker daemon' >&2; exit 1")]
    [InlineData("hangs", "exec sleep 60")]
    public void Auto_falls_back_to_local_when_the_runtime_does_not_answer(string name, string body)
    {
        var runtime = FakeRuntime(name, body);

        Assert.Equal(InfrastructureMode.Local,
            InfrastructureModeResolver.Resolve(InfrastructureMode.Auto, runtime, ProbeTimeout));
    }

    [Fact]
    public void Auto_falls_back_to_local_when_no_runtime_is_installed() =>
        Assert.Equal(InfrastructureMode.Local,
            InfrastructureModeResolver.Resolve(InfrastructureMode.Auto, "/nonexistent/docker", ProbeTimeout));

    [Theory]
    [InlineData(InfrastructureMode.Local)]
    [InlineData(InfrastructureMode.Containers)]
    public void An_explicit_mode_is_kept(InfrastructureMode mode) =>
        Assert.Equal(mode, InfrastructureModeResolver.Resolve(mode, "/nonexistent/docker", ProbeTimeout));

    [Theory]
    [InlineData("auto", InfrastructureMode.Auto)]
    [InlineData("Local", InfrastructureMode.Local)]
    [InlineData("CONTAINERS", InfrastructureMode.Containers)]
    [InlineData(null, InfrastructureMode.Auto)]
    public void Modes_parse_without_regard_to_case(string? value, InfrastructureMode expected) =>
        Assert.Equal(expected, InfrastructureModeResolver.Parse(value));

    [Fact]
    public void An_unknown_mode_is_a_clear_error()
    {
        var error = Assert.Throws<InfrastructureUnavailableException>(() => InfrastructureModeResolver.Parse("kubernetes"));
        Assert.Contains("auto, containers or local", error.Message);
    }

    [Fact]
    public async Task A_missing_binary_stops_the_apphost_with_one_clear_message()
    {
        var result = await AppHostProcess.RunAsync(TimeSpan.FromMinutes(2),
            "--Infrastructure:Mode=auto",
            "--Infrastructure:ContainerRuntime=/nonexistent/docker",
            "--Infrastructure:RedisServer=/nonexistent/redis-server");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("No container runtime answered, so local mode was chosen", result.Errors);
        Assert.Contains("redis-server was not found", result.Errors);
        Assert.Contains("apt-get install", result.Errors);
        Assert.DoesNotContain("   at ", result.Errors);
        Assert.DoesNotContain("Distributed application starting", result.Output);
    }

    [Fact]
    public async Task Containers_mode_without_a_runtime_stops_with_a_clear_message()
    {
        var result = await AppHostProcess.RunAsync(TimeSpan.FromMinutes(2),
            "--Infrastructure:Mode=containers",
            "--Infrastructure:ContainerRuntime=/nonexistent/docker");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("did not answer", result.Errors);
        Assert.Contains("Infrastructure:Mode=local", result.Errors);
        Assert.DoesNotContain("   at ", result.Errors);
    }

    private string FakeRuntime(string name, string body)
    {
        var path = Path.Combine(_scripts.FullName, name);
        File.WriteAllText(path, $"#!/bin/sh\n{body}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    public void Dispose() => _scripts.Delete(recursive: true);
}
