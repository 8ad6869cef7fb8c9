using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;

namespace RealtimeAspire.Tests.Observability;

/// <summary>
/// Trace sampling is configured the standard OpenTelemetry way, <c>OTEL_TRACES_SAMPLER</c> and
/// <c>OTEL_TRACES_SAMPLER_ARG</c>, in any service built on the service defaults (docs/observability.md).
/// </summary>
public sealed class SamplingTests
{
    [Fact]
    public void Without_a_sampler_setting_every_trace_is_recorded()
    {
        using var service = ServiceWith([]);

        using var root = service.Source.StartActivity("root");

        Assert.NotNull(root);
        Assert.True(root.Recorded);
    }

    [Fact]
    public void A_parent_based_ratio_drops_new_traces_and_follows_the_parents_decision()
    {
        using var service = ServiceWith(new()
        {
            ["OTEL_TRACES_SAMPLER"] = "parentbased_traceidratio",
            ["OTEL_TRACES_SAMPLER_ARG"] = "0",
        });

        using var root = service.Source.StartActivity("root");
        using var childOfSampled = service.Source.StartActivity("consume", ActivityKind.Consumer, RemoteParent(sampled: true));
        using var childOfDropped = service.Source.StartActivity("consume", ActivityKind.Consumer, RemoteParent(sampled: false));

        // A dropped span still exists to carry the trace context on (with the sampled flag off), but is not recorded.
        Assert.False(root?.Recorded ?? false);
        Assert.NotNull(childOfSampled);
        Assert.True(childOfSampled.Recorded);
        Assert.False(childOfDropped?.Recorded ?? false);
    }

    private static ActivityContext RemoteParent(bool sampled) => new(
        ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(),
        sampled ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None, isRemote: true);

    private static SampledService ServiceWith(Dictionary<string, string?> settings)
    {
        // Empty: no environment variables of the test run leak into the configuration.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults();
        var sourceName = $"sampling-test-{Guid.NewGuid():N}";
        builder.AddServiceActivitySource(sourceName);

        var host = builder.Build();
        // The tracer provider starts listening when it is first resolved.
        host.Services.GetRequiredService<TracerProvider>();
        return new SampledService(host, new ActivitySource(sourceName));
    }

    private sealed record SampledService(IHost Host, ActivitySource Source) : IDisposable
    {
        public void Dispose()
        {
            Source.Dispose();
            Host.Dispose();
        }
    }
}
