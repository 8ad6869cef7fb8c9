using System.Net;

namespace RealtimeAspire.Tests.Reliability;

/// <summary>A service's process as the operating system sees it: its pid and resident memory (Linux /proc).</summary>
public sealed record ServiceProcess(string Resource, int Pid, long RssKiB)
{
    /// <summary>
    /// The process of <paramref name="resource"/> now: the pid the orchestrator reports, or, when that is a
    /// <c>dotnet run</c> wrapper, the service process it started.
    /// </summary>
    public static ServiceProcess Of(DistributedApplication app, string resource)
    {
        Assert.True(app.ResourceNotifications.TryGetCurrentState(resource, out var state), $"{resource} is unknown.");
        var reported = state.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value;
        Assert.True(reported is not null, $"{resource} reports no pid.");
        var pid = ServicePid(Convert.ToInt32(reported));
        return new ServiceProcess(resource, pid, RssKiBOf(pid));
    }

    /// <summary>Whether the service still answers its readiness check.</summary>
    public static async Task<bool> IsHealthyAsync(DistributedApplication app, string resource)
    {
        // The Gateway answers health checks on its management port only.
        using var client = app.CreateHttpClient(resource, resource == "gateway" ? "management" : "http");
        using var response = await client.GetAsync("/health").WaitAsync(TimeSpan.FromSeconds(15));
        return response.StatusCode == HttpStatusCode.OK;
    }

    /// <summary>Each service is the same process as before (it did not crash and restart), healthy, and grew less than the bound.</summary>
    public static async Task AssertUnharmedAsync(
        DistributedApplication app, IReadOnlyList<ServiceProcess> before, IReadOnlyList<ServiceProcess> after, long growthBoundKiB)
    {
        foreach (var (b, a) in before.Zip(after))
        {
            Assert.Equal(b.Pid, a.Pid);
            Assert.True(await IsHealthyAsync(app, a.Resource), $"{a.Resource} is not healthy.");
            Assert.True(a.RssKiB - b.RssKiB < growthBoundKiB, $"{a.Resource} grew from {b.RssKiB} KiB to {a.RssKiB} KiB.");
        }
    }

    private static int ServicePid(int pid)
    {
        var pending = new Queue<int>([pid]);
        while (pending.TryDequeue(out var candidate))
        {
            var commandLine = File.ReadAllText($"/proc/{candidate}/cmdline").Replace('\0', ' ');
            if (!commandLine.StartsWith("dotnet run", StringComparison.Ordinal))
            {
                return candidate;
            }

            foreach (var task in Directory.EnumerateDirectories($"/proc/{candidate}/task"))
            {
                foreach (var child in File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    pending.Enqueue(int.Parse(child));
                }
            }
        }

        throw new InvalidOperationException($"No service process under pid {pid}.");
    }

    private static long RssKiBOf(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }
}
