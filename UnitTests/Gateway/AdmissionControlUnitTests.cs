using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RealtimeAspire.Gateway;
using RealtimeAspire.Tests.Auth;

namespace RealtimeAspire.Tests.Gateway;

/// <summary>The counting of <see cref="AdmissionControl"/> with a clock that moves only when told.</summary>
public sealed class AdmissionControlUnitTests : IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly ManualClock _clock = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().AddLogging().BuildServiceProvider();

    [Fact]
    public void A_connection_without_a_token_stops_counting_against_its_address_once_the_window_has_passed()
    {
        var admission = Create(maxConnections: 10, maxUnauthenticatedPerAddress: 2);

        var first = admission.TryAdmit(Request("10.0.0.1"), out _);
        _clock.Advance(TimeSpan.FromSeconds(4));
        var second = admission.TryAdmit(Request("10.0.0.1"), out _);
        var refused = admission.TryAdmit(Request("10.0.0.1"), out var refusal);
        var otherAddress = admission.TryAdmit(Request("10.0.0.2"), out _);
        var withToken = admission.TryAdmit(Request("10.0.0.1", token: "a.b.c"), out _);
        _clock.Advance(TimeSpan.FromSeconds(6));
        var afterTheFirstAged = admission.TryAdmit(Request("10.0.0.1"), out _);
        var stillRefused = admission.TryAdmit(Request("10.0.0.1"), out _);
        second!.Dispose();
        var afterOneClosed = admission.TryAdmit(Request("10.0.0.1"), out _);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(refused);
        Assert.Equal("6", RetryAfter(refusal!, out var status));
        Assert.Equal(StatusCodes.Status429TooManyRequests, status);
        Assert.NotNull(otherAddress);
        Assert.NotNull(withToken);
        Assert.NotNull(afterTheFirstAged);
        Assert.Null(stillRefused);
        Assert.NotNull(afterOneClosed);
    }

    [Fact]
    public void At_the_cap_every_new_connection_is_refused_until_one_ends()
    {
        var admission = Create(maxConnections: 3, maxUnauthenticatedPerAddress: 100);

        var open = Enumerable.Range(0, 3).Select(i => admission.TryAdmit(Request($"10.0.1.{i}", token: "t"), out _)).ToList();
        var refused = admission.TryAdmit(Request("10.0.2.1", token: "t"), out var refusal);
        var negotiate = admission.CheckCapacity();
        open[1]!.Dispose();
        open[1]!.Dispose();
        var afterOneEnded = admission.TryAdmit(Request("10.0.2.1", token: "t"), out _);
        var refusedAgain = admission.TryAdmit(Request("10.0.2.2", token: "t"), out _);

        Assert.All(open, Assert.NotNull);
        Assert.Null(refused);
        Assert.Equal("5", RetryAfter(refusal!, out var status));
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, status);
        Assert.NotNull(negotiate);
        Assert.NotNull(afterOneEnded);
        Assert.Null(refusedAgain);
        Assert.Equal(3, admission.Connections);
    }

    public void Dispose() => _services.Dispose();

    private AdmissionControl Create(int maxConnections, int maxUnauthenticatedPerAddress) => new(
        Options.Create(new AdmissionOptions
        {
            MaxConnections = maxConnections,
            MaxUnauthenticatedPerAddress = maxUnauthenticatedPerAddress,
            UnauthenticatedWindow = Window,
            RetryAfter = TimeSpan.FromSeconds(5),
        }),
        _clock,
        NullLogger<AdmissionControl>.Instance,
        _services.GetRequiredService<IMeterFactory>());

    private static DefaultHttpContext Request(string address, string? token = null)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(address);
        if (token is not null)
        {
            context.Request.QueryString = new QueryString($"?access_token={token}");
        }

        return context;
    }

    // Writes the refusal into a response of its own and reads its status and Retry-After.
    private string? RetryAfter(IResult refusal, out int status)
    {
        var context = new DefaultHttpContext { RequestServices = _services };
        context.Response.Body = new MemoryStream();
        refusal.ExecuteAsync(context).GetAwaiter().GetResult();
        status = context.Response.StatusCode;
        return context.Response.Headers.RetryAfter;
    }
}
