using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Model;

namespace RealtimeAspire.Gateway;

public sealed class AdmissionOptions
{
    public const string SectionName = "Gateway:Admission";

    /// <summary>Concurrent proxied connections (WebSockets and SSE streams); each holds one of the process's open files.</summary>
    public int MaxConnections { get; set; } = 18_000;

    /// <summary>Concurrent connections per client address that carried no token and are younger than <see cref="UnauthenticatedWindow"/>.</summary>
    public int MaxUnauthenticatedPerAddress { get; set; } = 1_000;

    /// <summary>How long a connection without a token counts as unauthenticated: the replicas' authentication timeout.</summary>
    public TimeSpan UnauthenticatedWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The Retry-After of a refusal at <see cref="MaxConnections"/>.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Admission of new real-time connections (route metadata <c>AdmissionControl</c>), before any replica is contacted:
/// at <see cref="AdmissionOptions.MaxConnections"/> a WebSocket upgrade, an SSE stream or a SignalR negotiate gets
/// 503 <c>over_capacity</c>; an address already holding <see cref="AdmissionOptions.MaxUnauthenticatedPerAddress"/>
/// young connections without a token gets 429 <c>too_many_unauthenticated_connections</c>. Both carry Retry-After.
/// </summary>
public sealed partial class AdmissionControl
{
    public const string MetadataKey = "AdmissionControl";
    public const string MeterName = "RealtimeAspire.Gateway";

    private readonly AdmissionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AdmissionControl> _logger;
    private readonly Counter<long> _refused;
    private readonly ConcurrentDictionary<string, AddressLedger> _unauthenticated = new();
    private int _connections;
    private int _full;

    public AdmissionControl(IOptions<AdmissionOptions> options, TimeProvider time, ILogger<AdmissionControl> logger, IMeterFactory meterFactory)
    {
        (_options, _time, _logger) = (options.Value, time, logger);
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableUpDownCounter("gateway.connections.active", () => Connections, unit: "{connection}",
            description: "Proxied connections open now (WebSockets and SSE streams of /ws and /hub)");
        _refused = meter.CreateCounter<long>("gateway.connections.refused", unit: "{connection}",
            description: "New connections refused by admission control, by reason: over_capacity or unauthenticated_per_address");
    }

    /// <summary>Proxied connections open now.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Admits a connection (disposed when its request ends), or returns the refusal to send.</summary>
    public IDisposable? TryAdmit(HttpContext context, out IResult? refusal)
    {
        if (Interlocked.Increment(ref _connections) > _options.MaxConnections)
        {
            Interlocked.Decrement(ref _connections);
            _refused.Add(1, new KeyValuePair<string, object?>("reason", "over_capacity"));
            if (Interlocked.Exchange(ref _full, 1) == 0)
            {
                LogFull(_logger, _options.MaxConnections);
            }

            refusal = OverCapacity();
            return null;
        }

        Volatile.Write(ref _full, 0);
        var lease = new Lease(this);
        if (!CarriesToken(context.Request) && !TryCountUnauthenticated(ClientAddress.Of(context), lease, out var retryAfter))
        {
            lease.Dispose();
            _refused.Add(1, new KeyValuePair<string, object?>("reason", "unauthenticated_per_address"));
            refusal = Refusal(StatusCodes.Status429TooManyRequests, "too_many_unauthenticated_connections",
                "Too many connections from this address have not authenticated yet; retry after the time in Retry-After.", retryAfter);
            return null;
        }

        refusal = null;
        return lease;
    }

    /// <summary>A refusal at the cap without counting: for requests that start a connection but are not one (negotiate).</summary>
    public IResult? CheckCapacity()
    {
        if (Connections < _options.MaxConnections)
        {
            return null;
        }

        _refused.Add(1, new KeyValuePair<string, object?>("reason", "over_capacity"));
        return OverCapacity();
    }

    private bool TryCountUnauthenticated(string address, Lease lease, out TimeSpan retryAfter)
    {
        while (true)
        {
            var ledger = _unauthenticated.GetOrAdd(address, static _ => new AddressLedger());
            lock (ledger)
            {
                if (ledger.Retired)
                {
                    continue;
                }

                var now = _time.GetUtcNow();
                ledger.Young.RemoveAll(open => now - open.Started >= _options.UnauthenticatedWindow);
                if (ledger.Young.Count >= _options.MaxUnauthenticatedPerAddress)
                {
                    // The oldest young connection stops counting first.
                    retryAfter = ledger.Young.Count > 0
                        ? _options.UnauthenticatedWindow - (now - ledger.Young[0].Started)
                        : _options.UnauthenticatedWindow;
                    RetireIfEmpty(address, ledger);
                    return false;
                }

                lease.Ledger = (address, ledger);
                lease.Started = now;
                ledger.Young.Add(lease);
                retryAfter = TimeSpan.Zero;
                return true;
            }
        }
    }

    private void Release(Lease lease)
    {
        Interlocked.Decrement(ref _connections);
        if (lease.Ledger is not { } entry)
        {
            return;
        }

        lock (entry.Ledger)
        {
            entry.Ledger.Young.Remove(lease);
            RetireIfEmpty(entry.Address, entry.Ledger);
        }
    }

    // Called under the ledger's lock: retired there, so a concurrent admission takes a fresh ledger instead of a removed one.
    private void RetireIfEmpty(string address, AddressLedger ledger)
    {
        if (ledger.Young.Count == 0)
        {
            ledger.Retired = true;
            _unauthenticated.TryRemove(new KeyValuePair<string, AddressLedger>(address, ledger));
        }
    }

    private static bool CarriesToken(HttpRequest request) =>
        !StringValues.IsNullOrEmpty(request.Query["access_token"])
        || request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    private IResult OverCapacity() => Refusal(StatusCodes.Status503ServiceUnavailable, "over_capacity",
        "The Gateway holds as many connections as it may; retry after the time in Retry-After.", _options.RetryAfter);

    private static IResult Refusal(int status, string title, string detail, TimeSpan retryAfter) =>
        new RetryAfterResult(TypedResults.Problem(statusCode: status, title: title, detail: detail), retryAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Gateway holds {MaxConnections} connections, its cap (Gateway:Admission:MaxConnections): new ones get 503")]
    private static partial void LogFull(ILogger logger, int maxConnections);

    private sealed class AddressLedger
    {
        public readonly List<Lease> Young = [];
        public bool Retired;
    }

    private sealed class Lease(AdmissionControl owner) : IDisposable
    {
        private int _disposed;

        public (string Address, AddressLedger Ledger)? Ledger { get; set; }

        public DateTimeOffset Started { get; set; }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Release(this);
            }
        }
    }

    private sealed class RetryAfterResult(IResult problem, TimeSpan retryAfter) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return problem.ExecuteAsync(context);
        }
    }
}

public static class AdmissionControlExtensions
{
    public static IHostApplicationBuilder AddAdmissionControl(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AdmissionOptions>().BindConfiguration(AdmissionOptions.SectionName);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<AdmissionControl>();
        builder.AddServiceMeter(AdmissionControl.MeterName);
        return builder;
    }

    public static IReverseProxyApplicationBuilder UseAdmissionControl(this IReverseProxyApplicationBuilder proxy)
    {
        var admission = proxy.ApplicationServices.GetRequiredService<AdmissionControl>();
        // Not async: a WebSocket's request lasts as long as the connection (see OriginPolicy); the lease is
        // released when the request ends.
        proxy.Use((context, next) =>
        {
            if (!RouteFlags.IsOn(context, AdmissionControl.MetadataKey))
            {
                return next();
            }

            if (IsConnection(context))
            {
                var lease = admission.TryAdmit(context, out var refusal);
                if (lease is null)
                {
                    return refusal!.ExecuteAsync(context);
                }

                context.Response.RegisterForDispose(lease);
                return next();
            }

            return context.Request.Path.Value!.EndsWith("/negotiate", StringComparison.Ordinal) && admission.CheckCapacity() is { } full
                ? full.ExecuteAsync(context)
                : next();
        });
        return proxy;
    }

    // A WebSocket upgrade or a Server-Sent Events stream: requests that hold their socket for the connection's life.
    private static bool IsConnection(HttpContext context) =>
        RequestBodyLimit.IsWebSocketRequest(context)
        || (HttpMethods.IsGet(context.Request.Method) && context.Request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.OrdinalIgnoreCase));
}
