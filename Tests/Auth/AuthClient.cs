using System.Net;
using System.Net.Http.Json;

namespace RealtimeAspire.Tests.Auth;

public sealed record TokenPair(string AccessToken, string TokenType, int ExpiresIn, string RefreshToken);

public sealed record RegisteredUser(string UserId, string Username);

/// <summary>The protocol's account and token calls, as a client makes them through the Gateway.</summary>
public sealed class AuthClient(HttpClient gateway)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public const string Password = "correct horse battery";

    /// <summary>A fresh username that matches ^[a-z0-9_]{3,32}$.</summary>
    public static string NewUsername(string prefix = "u") => $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(32, prefix.Length + 21)];

    public Task<HttpResponseMessage> RegisterAsync(string? username, string? password) =>
        PostAsync("/api/auth/register", new { username, password });

    public Task<HttpResponseMessage> TokenAsync(string? username, string? password) =>
        PostAsync("/api/auth/token", new { username, password });

    public Task<HttpResponseMessage> RefreshAsync(string? refreshToken) =>
        PostAsync("/api/auth/refresh", new { refreshToken });

    /// <summary>Registers a new user and logs in.</summary>
    public async Task<(RegisteredUser User, TokenPair Tokens)> RegisterAndLoginAsync(string? username = null, string password = Password)
    {
        username ??= NewUsername();
        var registered = await RegisterAsync(username, password);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var user = (await registered.Content.ReadFromJsonAsync<RegisteredUser>().WaitAsync(Timeout))!;
        return (user, await LoginAsync(username, password));
    }

    public async Task<TokenPair> LoginAsync(string username, string password = Password)
    {
        var response = await TokenAsync(username, password);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TokenPair>().WaitAsync(Timeout))!;
    }

    private Task<HttpResponseMessage> PostAsync(string path, object body) =>
        gateway.PostAsJsonAsync(path, body).WaitAsync(Timeout);
}
