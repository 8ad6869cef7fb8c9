using System.Diagnostics;
using System.Reflection;

namespace RealtimeAspire.Tests.Infrastructure;

/// <summary>Runs the built AppHost as its own process, the way `dotnet run --project AppHost` does.</summary>
public static class AppHostProcess
{
    public sealed record Result(int ExitCode, string Output, string Errors, TimeSpan Elapsed);

    public static string ProjectPath => Projects.AppHost.ProjectPath;

    public static async Task<Result> RunAsync(TimeSpan timeout, params string[] args)
    {
        // The AppHost was built with the tests, in the same configuration.
        var configuration = typeof(AppHostProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var startInfo = new ProcessStartInfo("dotnet",
            ["run", "--no-build", "--no-launch-profile", "-c", configuration, "--project", ProjectPath, "--", .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("dotnet did not start");
        using var cancellation = new CancellationTokenSource(timeout);
        var output = process.StandardOutput.ReadToEndAsync(cancellation.Token);
        var errors = process.StandardError.ReadToEndAsync(cancellation.Token);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The AppHost did not exit within {timeout}: {string.Join(' ', args)}");
        }

        return new Result(process.ExitCode, await output, await errors, stopwatch.Elapsed);
    }
}
