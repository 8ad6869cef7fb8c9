using System.Net;
using RealtimeAspire.Tests.Infrastructure;
using StackExchange.Redis;

namespace RealtimeAspire.Tests.Auth;

/// <summary>
/// Repeated failed logins get 429 with Retry-After, per account and per client address. Every request of the
/// tests comes from the same address, so each test clears the address counters it filled (in Redis) when done.
/// </summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class LoginThrottleTests(RealtimeAppFixture fixture) : IAsyncLifetime
{
    private const int MaxFailuresPerAccount = 5;
    private const int MaxFailuresPerAddress = 30;
    private const string AddressKeys = "rt:auth:login:address:*";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly AuthClient _auth = new(fixture.CreateGatewayClient());
    private IConnectionMultiplexer _redis = null!;

    public async Task InitializeAsync()
    {
        var connectionString = await fixture.App.GetConnectionStringAsync("redis").AsTask().WaitAsync(Timeout);
        _redis = await ConnectionMultiplexer.ConnectAsync(connectionString!).WaitAsync(Timeout);
        await ClearAddressCountersAsync();
    }

    public async Task DisposeAsync()
    {
        await ClearAddressCountersAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task An_account_is_throttled_after_repeated_failures_even_for_the_right_password()
    {
        var (victim, _) = await _auth.RegisterAndLoginAsync();
        var (bystander, _) = await _auth.RegisterAndLoginAsync();

        for (var attempt = 1; attempt <= MaxFailuresPerAccount; attempt++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await _auth.TokenAsync(victim.Username, $"guess {attempt}")).StatusCode);
        }

        var throttled = await _auth.TokenAsync(victim.Username, "guess 6");
        var rightPassword = await _auth.TokenAsync(victim.Username, AuthClient.Password);

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Equal("application/problem+json", throttled.Content.Headers.ContentType?.MediaType);
        var retryAfter = throttled.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(15));
        Assert.Equal(HttpStatusCode.TooManyRequests, rightPassword.StatusCode);

        // Another account from the same address is not affected.
        Assert.Equal(HttpStatusCode.OK, (await _auth.TokenAsync(bystander.Username, AuthClient.Password)).StatusCode);
    }

    [Fact]
    public async Task A_successful_login_clears_the_failures_of_the_account()
    {
        var (user, _) = await _auth.RegisterAndLoginAsync();

        for (var round = 0; round < 3; round++)
        {
            for (var attempt = 1; attempt < MaxFailuresPerAccount; attempt++)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await _auth.TokenAsync(user.Username, "wrong password")).StatusCode);
            }

            Assert.Equal(HttpStatusCode.OK, (await _auth.TokenAsync(user.Username, AuthClient.Password)).StatusCode);
        }
    }

    [Fact]
    public async Task An_address_is_throttled_after_repeated_failures_across_accounts()
    {
        var (user, _) = await _auth.RegisterAndLoginAsync();

        // Successful logins do not count against the address.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await _auth.TokenAsync(user.Username, AuthClient.Password)).StatusCode);
        }

        // Each guess names another (unknown) account, so only the address limit can stop them.
        for (var attempt = 1; attempt <= MaxFailuresPerAddress; attempt++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await _auth.TokenAsync(AuthClient.NewUsername("spray"), "password1")).StatusCode);
        }

        var throttled = await _auth.TokenAsync(AuthClient.NewUsername("spray"), "password1");
        var legitimate = await _auth.TokenAsync(user.Username, AuthClient.Password);

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.NotNull(throttled.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.TooManyRequests, legitimate.StatusCode);

        // The counters live in Redis (shared by every AuthService replica); the window ending lifts the limit.
        await ClearAddressCountersAsync();
        Assert.Equal(HttpStatusCode.OK, (await _auth.TokenAsync(user.Username, AuthClient.Password)).StatusCode);
    }

    [Fact]
    public async Task Parallel_guesses_cannot_slip_past_the_account_limit()
    {
        var (user, _) = await _auth.RegisterAndLoginAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 12)
            .Select(i => _auth.TokenAsync(user.Username, $"parallel guess {i}"))).WaitAsync(Timeout);

        Assert.Equal(MaxFailuresPerAccount, answers.Count(a => a.StatusCode == HttpStatusCode.Unauthorized));
        Assert.Equal(12 - MaxFailuresPerAccount, answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests));
    }

    private async Task ClearAddressCountersAsync()
    {
        foreach (var endpoint in _redis.GetEndPoints())
        {
            await foreach (var key in _redis.GetServer(endpoint).KeysAsync(pattern: AddressKeys))
            {
                await _redis.GetDatabase().KeyDeleteAsync(key);
            }
        }
    }
}
