namespace RealtimeAspire.AppHost;

/// <summary>How the AppHost treats a resource that fails while starting (section <c>Startup</c>).</summary>
public sealed class StartupOptions
{
    public const string SectionName = "Startup";

    /// <summary>Stop the AppHost with exit code 1 after reporting a failed start (on in start.sh, bench.sh and under `aspire run`).</summary>
    public bool ExitOnFailure { get; set; }

    /// <summary>How long a running resource may stay unhealthy, while starting, before it is reported as failed.</summary>
    public TimeSpan HealthyWithin { get; set; } = TimeSpan.FromMinutes(3);
}
