using System.Net.Http.Headers;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace RealtimeAspire.Tests.Auth;

/// <summary>
/// A small web app that validates tokens exactly as every service does (ServiceDefaults' AddJwtAuthentication):
/// GET /api/probe and /ws need a valid token and answer "sub|name".
/// </summary>
public sealed class JwtProbeApp : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly WebApplication _app;

    private JwtProbeApp(WebApplication app)
    {
        _app = app;
        Client = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = Timeout };
    }

    public HttpClient Client { get; }

    public IAccessTokenValidator Validator => _app.Services.GetRequiredService<IAccessTokenValidator>();

    public static async Task<JwtProbeApp> StartAsync(Action<WebApplicationBuilder> configure)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        configure(builder);
        builder.AddJwtAuthentication();

        var app = builder.Build();
        app.MapGet("/api/probe", Describe).RequireAuthorization();
        app.MapGet("/ws", Describe).RequireAuthorization();
        await app.StartAsync().WaitAsync(Timeout);
        return new JwtProbeApp(app);

        static string Describe(ClaimsPrincipal user) => $"{user.FindFirstValue("sub")}|{user.Identity?.Name}";
    }

    public async Task<HttpResponseMessage> GetWithBearerAsync(string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await Client.SendAsync(request).WaitAsync(Timeout);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.DisposeAsync().AsTask().WaitAsync(Timeout);
    }
}
