using System.Diagnostics.Metrics;

namespace RealtimeAspire.AuthService;

/// <summary>Logins and tokens, exported over OTLP and on /metrics.</summary>
public sealed class AuthMetrics
{
    public const string MeterName = "RealtimeAspire.AuthService";

    private readonly Counter<long> _logins;
    private readonly Counter<long> _tokensIssued;
    private readonly Counter<long> _refreshRejected;

    public AuthMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _logins = meter.CreateCounter<long>("auth.logins", unit: "{login}",
            description: "Login attempts, by outcome: succeeded, failed (wrong credentials) or throttled");
        _tokensIssued = meter.CreateCounter<long>("auth.tokens.issued", unit: "{token}",
            description: "Token pairs issued, by grant: password (login) or refresh");
        _refreshRejected = meter.CreateCounter<long>("auth.tokens.refresh_rejected", unit: "{token}",
            description: "Refresh tokens refused (unknown, expired, spent or revoked)");
    }

    public void Login(string outcome) => _logins.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void TokensIssued(string grant) => _tokensIssued.Add(1, new KeyValuePair<string, object?>("grant", grant));

    public void RefreshRejected() => _refreshRejected.Add(1);
}
