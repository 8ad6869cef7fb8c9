using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using System.Text.RegularExpressions;
using RealtimeAspire.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RealtimeAspire.Tests.Foundation;

/// <summary>
/// The AppHost started the ways people start it — Development as start.sh does, Production as bench.sh does — as a
/// process on one data folder, watched through its console only.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed partial class LaunchTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan UpTimeout = TimeSpan.FromMinutes(4);

    /// <summary>How soon after the AppHost starts a service that cannot start must be reported.</summary>
    private static readonly TimeSpan ReportBound = TimeSpan.FromMinutes(3);

    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("launch-tests-");

    private string DataPath => Path.Combine(_scratch.FullName, "data");

    private string UserProfile => Path.Combine(_scratch.FullName, "profile");

    [Fact]
    public async Task Development_then_Production_then_Development_open_one_data_folder_with_one_signing_key()
    {
        var signingKeys = new List<string>();
        foreach (var environment in new[] { "Development", "Production", "Development" })
        {
            signingKeys.Add(await SigningKeyIdsOfOneRunAsync(environment));
        }

        Assert.NotEqual("", signingKeys[0]);
        Assert.All(signingKeys, keys => Assert.Equal(signingKeys[0], keys));
    }

    [Fact]
    public async Task A_service_that_cannot_start_is_reported_with_its_cause_and_what_to_restore()
    {
        await using (var first = AppHostLaunch.Start("Development", UserProfile, SystemArgs()))
        {
            await first.WaitUntilUpAsync(UpTimeout);
            await first.StopAsync();
        }

        // As if the data folder had lost the secret its signing key was sealed with.
        var secretFile = Path.Combine(DataPath, "auth-key-encryption-key");
        File.WriteAllText(secretFile, "a-secret-that-sealed-nothing-here");

        await using var second = AppHostLaunch.Start("Development", UserProfile, [.. SystemArgs(), "--Startup:ExitOnFailure=true"]);
        var report = await second.WaitForLineAsync(FailureLine(), ReportBound);

        Assert.True(report is not null, $"The AppHost exited without a report:\n{second.Console}");
        Assert.Equal("auth-service", report.Groups["resource"].Value);
        Assert.Contains("cannot be unsealed", report.Groups["cause"].Value);
        Assert.Contains(secretFile, report.Groups["cause"].Value);
        Assert.Equal(1, await second.WaitForExitAsync(TimeSpan.FromMinutes(1)));
    }

    /// <summary>
    /// Starts the AppHost in <paramref name="environment"/>, reads the signing keys and stops it. A start on which a
    /// replica crashed is tried once more and written to the output: a replica once exited at start with an
    /// OperationCanceledException, which has nothing to do with the data folder's secrets this test is about (its
    /// cause is not found yet, see docs/reliability.md). Any other failure, auth-service's above all, fails the test.
    /// </summary>
    private async Task<string> SigningKeyIdsOfOneRunAsync(string environment)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var appHost = AppHostLaunch.Start(environment, UserProfile, SystemArgs());
            try
            {
                var gateway = await appHost.WaitUntilUpAsync(UpTimeout);
                var keys = await SigningKeyIdsAsync(gateway);
                await appHost.StopAsync();
                return keys;
            }
            catch (InvalidOperationException e) when (attempt == 1 && ReplicaFailure().IsMatch(e.Message))
            {
                output.WriteLine($"{environment}: a replica failed at start, trying once more:\n{e.Message}");
                await appHost.StopAsync();
            }
        }
    }

    [GeneratedRegex(@"^RealtimeAspire: connection-service-\d+ failed: ", RegexOptions.Multiline)]
    private static partial Regex ReplicaFailure();

    private string[] SystemArgs() =>
        ["--Infrastructure:Mode=local", $"--Infrastructure:DataPath={DataPath}", "--Gateway:Port=0"];

    private static async Task<string> SigningKeyIdsAsync(Uri gateway)
    {
        using var http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(30) };
        var jwks = await http.GetFromJsonAsync<JsonElement>("/api/auth/.well-known/jwks.json");
        return string.Join(',', jwks.GetProperty("keys").EnumerateArray().Select(key => key.GetProperty("kid").GetString()).Order());
    }

    [GeneratedRegex(@"^RealtimeAspire: (?<resource>\S+) failed: (?<cause>.+)$")]
    private static partial Regex FailureLine();

    public void Dispose()
    {
        try
        {
            _scratch.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A PostgreSQL process that has not quite exited may still hold a file; the temp folder is cleaned later.
        }
        catch (UnauthorizedAccessException)
        {
            // The cluster belongs to the postgres account when the tests run as root.
        }
    }
}
