using System.Net;

namespace RealtimeAspire.Tests.Gateway;

/// <summary>
/// Sends requests to the connection-service cluster through the Gateway, without a cookie jar, and reads which
/// replica answered (X-Realtime-Replica) and the affinity cookie the Gateway handed out.
/// </summary>
public sealed class ReplicaProbe(Uri gatewayUri) : IDisposable
{
    public const string ReplicaHeader = "X-Realtime-Replica";
    public const string AffinityCookie = ".RealtimeAspire.Affinity";
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);

    private readonly HttpClient _client = new(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = gatewayUri };

    public sealed record Answer(HttpStatusCode Status, string? Replica, string? AffinityCookie);

    /// <summary>A request a SignalR client makes first; any answer of the replica (even 401 or 404) names it.</summary>
    public async Task<Answer> SendAsync(string? affinityCookie = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/hub/negotiate?negotiateVersion=1");
        if (affinityCookie is not null)
        {
            request.Headers.Add("Cookie", $"{AffinityCookie}={affinityCookie}");
        }

        using var response = await _client.SendAsync(request).WaitAsync(RequestTimeout);
        var replica = response.Headers.TryGetValues(ReplicaHeader, out var values) ? values.Single() : null;
        var cookie = response.Headers.TryGetValues("Set-Cookie", out var cookies)
            ? cookies.Where(c => c.StartsWith(AffinityCookie + "=", StringComparison.Ordinal))
                .Select(c => c[(AffinityCookie.Length + 1)..].Split(';')[0])
                .FirstOrDefault()
            : null;
        return new Answer(response.StatusCode, replica, cookie);
    }

    /// <summary>Fresh clients (no cookie) until one lands on <paramref name="replica"/>; its affinity cookie.</summary>
    public async Task<string> PinToAsync(string replica, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            var answer = await SendAsync();
            if (answer.Replica == replica && answer.AffinityCookie is not null)
            {
                return answer.AffinityCookie;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"No fresh client reached {replica} within {timeout}.");
    }

    /// <summary>
    /// Waits until the Gateway keeps a client pinned to <paramref name="replica"/> for longer than its passive
    /// health window (10 s): right after a restart, failures from the replica's downtime can still take it out.
    /// </summary>
    public async Task WaitUntilStableAsync(string replica, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var cookie = await PinToAsync(replica, deadline - DateTime.UtcNow);
            var held = true;
            for (var stableUntil = DateTime.UtcNow.AddSeconds(12); held && DateTime.UtcNow < stableUntil;)
            {
                held = (await SendAsync(cookie)).Replica == replica;
                await Task.Delay(250);
            }
            if (held)
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The Gateway did not keep clients on {replica} within {timeout}.");
            }
        }
    }

    /// <summary>Waits until <paramref name="count"/> fresh clients in a row land only on the expected replicas.</summary>
    public async Task WaitUntilOnlyAsync(IReadOnlySet<string> expected, TimeSpan timeout, int count = 10)
    {
        var deadline = DateTime.UtcNow + timeout;
        var inARow = 0;
        while (inARow < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The Gateway did not route only to {string.Join(", ", expected)} within {timeout}.");
            }

            var answer = await SendAsync();
            inARow = answer.Replica is not null && expected.Contains(answer.Replica) ? inARow + 1 : 0;
            if (inARow == 0)
            {
                await Task.Delay(200);
            }
        }
    }

    public void Dispose() => _client.Dispose();
}
