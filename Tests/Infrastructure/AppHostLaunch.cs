using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using System.Threading.Channels;

namespace RealtimeAspire.Tests.Infrastructure;

/// <summary>
/// The built AppHost started as its own long-running process, the way scripts/bench.sh starts it
/// (<c>dotnet AppHost.dll</c>, dashboard on free ports), in the environment given; its console is read line by line.
/// </summary>
public sealed partial class AppHostLaunch : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _seen = [];
    private readonly Task _reading;

    private AppHostLaunch(Process process)
    {
        _process = process;
        _reading = Task.WhenAll(PumpAsync(process.StandardOutput), PumpAsync(process.StandardError))
            .ContinueWith(_ => _lines.Writer.TryComplete(), TaskScheduler.Default);
    }

    /// <summary>Every console line so far (for failure messages).</summary>
    public string Console
    {
        get
        {
            lock (_seen)
            {
                return string.Join('\n', _seen);
            }
        }
    }

    /// <param name="environment">DOTNET_ENVIRONMENT of the AppHost: Development as under start.sh, Production as under bench.sh.</param>
    /// <param name="userProfile">
    /// The folder standing in for the user's profile (APPDATA, where .NET keeps user secrets), so no test reads or
    /// writes the machine's real user-secrets stores.
    /// </param>
    public static AppHostLaunch Start(string environment, string userProfile, params string[] args)
    {
        var startInfo = new ProcessStartInfo("dotnet", [AssemblyPath, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppHostDirectory,
        };
        startInfo.Environment["DOTNET_ENVIRONMENT"] = environment;
        startInfo.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        startInfo.Environment["APPDATA"] = userProfile;
        startInfo.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        startInfo.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort()}";
        startInfo.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort()}";
        startInfo.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort()}";
        return new AppHostLaunch(Process.Start(startInfo) ?? throw new InvalidOperationException("dotnet did not start"));
    }

    /// <summary>Waits for the first console line matching <paramref name="pattern"/>; null when the AppHost exited first.</summary>
    public async Task<Match?> WaitForLineAsync(Regex pattern, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await foreach (var line in _lines.Reader.ReadAllAsync(cancellation.Token))
            {
                if (pattern.Match(line) is { Success: true } match)
                {
                    return match;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No line like /{pattern}/ within {timeout}. The AppHost wrote:\n{Console}");
        }

        return null;
    }

    /// <summary>Waits for "RealtimeAspire is up: open &lt;url&gt;" and returns the Gateway's URL.</summary>
    public async Task<Uri> WaitUntilUpAsync(TimeSpan timeout)
    {
        var match = await WaitForLineAsync(UpOrFailed(), timeout);
        if (match is null || !match.Groups["url"].Success)
        {
            throw new InvalidOperationException($"The system did not come up. The AppHost wrote:\n{Console}");
        }

        return new Uri(match.Groups["url"].Value);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    /// <summary>Stops the AppHost as Ctrl+C does (SIGTERM), so it stops PostgreSQL and Redis cleanly.</summary>
    [UnsupportedOSPlatform("windows")]
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        }

        await _reading.WaitAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
    }

    /// <summary>The AppHost's project folder (the generated Projects.AppHost names the folder, not the .csproj).</summary>
    private static string AppHostDirectory =>
        Directory.Exists(AppHostProcess.ProjectPath) ? AppHostProcess.ProjectPath : Path.GetDirectoryName(AppHostProcess.ProjectPath)!;

    private static string AssemblyPath
    {
        get
        {
            // The AppHost was built with the tests, in the same configuration and for the same framework.
            var assembly = typeof(AppHostLaunch).Assembly;
            var configuration = assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            var framework = assembly.GetCustomAttribute<System.Runtime.Versioning.TargetFrameworkAttribute>()!.FrameworkName;
            var tfm = $"net{new FrameworkName(framework).Version.ToString(2)}";
            return Path.Combine(AppHostDirectory, "bin", configuration, tfm, "AppHost.dll");
        }
    }

    private async Task PumpAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_seen)
            {
                _seen.Add(line);
            }

            await _lines.Writer.WriteAsync(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"RealtimeAspire is up: open (?<url>\S+)|RealtimeAspire: \S+ failed: ")]
    private static partial Regex UpOrFailed();
}
