using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Reliability;

/// <summary>
/// The fault scenarios kill and restart Redis, PostgreSQL, the Gateway and services: they get a system of their
/// own, so nothing they break can reach another test.
/// </summary>
[CollectionDefinition(Name)]
public sealed class FaultAppCollection : ICollectionFixture<RealtimeAppFixture>
{
    public const string Name = "realtime-app-faults";
}

/// <summary>How much traffic a fault scenario runs. <c>RELIABILITY_LONG=1</c> runs the long variant.</summary>
public static class FaultRunSettings
{
    public static readonly bool Long = ReliabilityReport.Long;

    /// <summary>Clients, each of its own user, spread over both replicas.</summary>
    public static int Clients => Long ? 10 : 4;

    /// <summary>One message per client and interval: 60 a minute stays under the per-user limit of 100 with room for resends.</summary>
    public static readonly TimeSpan SendInterval = TimeSpan.FromSeconds(1);

    /// <summary>Steady traffic before the fault is injected.</summary>
    public static TimeSpan Before => Long ? TimeSpan.FromSeconds(20) : TimeSpan.FromSeconds(3);

    /// <summary>How long a fault that is undone by hand (a stopped service) lasts.</summary>
    public static TimeSpan Outage => Long ? TimeSpan.FromSeconds(20) : TimeSpan.FromSeconds(5);

    /// <summary>Steady traffic after the system is whole again.</summary>
    public static TimeSpan After => Long ? TimeSpan.FromSeconds(30) : TimeSpan.FromSeconds(4);
}
