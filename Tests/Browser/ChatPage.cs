using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace RealtimeAspire.Tests.Browser;

/// <summary>One user's chat page, driven the way a person uses it: labels, buttons and the Enter key.</summary>
public sealed class ChatPage
{
    private readonly IBrowserContext context;
    private readonly IPage page;
    private readonly string username;
    private readonly List<string> _errors = [];

    public ChatPage(IBrowserContext context, IPage page, string username)
    {
        (this.context, this.page, this.username) = (context, page, username);
        // Script errors and failed requests, for the message of a failing test.
        page.PageError += (_, error) => _errors.Add($"page error: {error}");
        page.Console += (_, message) => { if (message.Type == "error") _errors.Add($"console: {message.Text}"); };
        page.Response += (_, response) => { if (response.Status >= 400) _errors.Add($"HTTP {response.Status} {response.Request.Method} {new Uri(response.Url).AbsolutePath}"); };
    }

    /// <summary>Script errors the page reported so far.</summary>
    public IReadOnlyList<string> Errors => _errors;

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    public const string Password = "correct-horse-battery";

    public IPage Page => page;
    public IBrowserContext Context => context;
    public string Username => username;

    private static float Ms(TimeSpan timeout) => (float)timeout.TotalMilliseconds;

    /// <summary>
    /// A new browser context whose affinity cookie pins it to <paramref name="replica"/>, so the test knows which
    /// replica serves this user's WebSocket (the context's request API shares the page's cookies).
    /// </summary>
    public static async Task<ChatPage> OpenAsync(IBrowser browser, Uri gateway, string username, string replica)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = gateway.ToString(),
            ViewportSize = new ViewportSize { Width = 1100, Height = 760 },
        });
        await PinAsync(context, replica);
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(Ms(Timeout));
        var chat = new ChatPage(context, page, username);
        await page.GotoAsync("/");
        return chat;
    }

    public static async Task PinAsync(IBrowserContext context, string replica, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Timeout);
        var seen = new List<string>();
        while (DateTime.UtcNow < deadline)
        {
            await context.ClearCookiesAsync();
            var response = await context.APIRequest.PostAsync("/hub/negotiate?negotiateVersion=1");
            var served = response.Headers.GetValueOrDefault("x-realtime-replica");
            if (served == replica)
            {
                return;
            }
            seen.Add($"{response.Status} {served}");
            await Task.Delay(50);
        }
        throw new TimeoutException($"Could not pin a browser context to {replica}; answers: {string.Join(", ", seen.Distinct())}.");
    }

    /// <summary>Which replica the context's affinity cookie points at now.</summary>
    public async Task<string?> ReplicaAsync()
    {
        var response = await context.APIRequest.PostAsync("/hub/negotiate?negotiateVersion=1");
        return response.Headers.TryGetValue("x-realtime-replica", out var served) ? served : null;
    }

    public async Task RegisterAsync()
    {
        await page.GetByLabel("Username", new() { Exact = true }).FillAsync(username);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync();
        try
        {
            await Expect(page.Locator("#current-user")).ToHaveTextAsync(username);
            await ExpectLiveAsync();
        }
        catch (PlaywrightException e)
        {
            var shown = await page.Locator("#auth-error").TextContentAsync(new() { Timeout = 1000 });
            throw new PlaywrightException($"{e.Message}{Environment.NewLine}Sign-in error shown: {shown}{Environment.NewLine}Page errors: {string.Join(Environment.NewLine, _errors)}", e);
        }
    }

    public async Task JoinAsync(string room)
    {
        await page.GetByLabel("Join a room", new() { Exact = true }).FillAsync(room);
        await page.GetByLabel("Join a room", new() { Exact = true }).PressAsync("Enter");
        await Expect(page.Locator("#room-title")).ToHaveTextAsync(room);
        await Expect(page.Locator("#presence")).ToContainTextAsync(username);
    }

    public async Task SendAsync(string text)
    {
        await page.GetByLabel("Message", new() { Exact = true }).FillAsync(text);
        await page.GetByLabel("Message", new() { Exact = true }).PressAsync("Enter");
    }

    public ILocator Messages(string text) =>
        page.Locator("#message-list li.message:not(.pending) .content").Filter(new() { HasTextString = text });

    public Task ExpectMessageAsync(string text) => Expect(Messages(text)).ToHaveCountAsync(1, new() { Timeout = Ms(Timeout) });

    public Task ExpectLiveAsync(TimeSpan? timeout = null) =>
        Expect(page.Locator("#connection-state")).ToHaveAttributeAsync("data-state", "live", new() { Timeout = Ms(timeout ?? Timeout) });

    /// <summary>Records every connection state the page shows from now on, with the time, in window.__states.</summary>
    public Task RecordConnectionStatesAsync() => page.EvaluateAsync("""
        () => {
          window.__states = [];
          const element = document.getElementById('connection-state');
          new MutationObserver(() => window.__states.push({ state: element.dataset.state, at: Date.now() }))
            .observe(element, { attributes: true, attributeFilter: ['data-state'] });
        }
        """);

    public async Task<IReadOnlyList<(string State, long At)>> ConnectionStatesAsync()
    {
        var states = await page.EvaluateAsync<StateChange[]>("() => window.__states");
        return states.Select(s => (s.State, s.At)).ToList();
    }

    public Task<long> NowAsync() => page.EvaluateAsync<long>("() => Date.now()");

    public sealed class StateChange
    {
        public string State { get; set; } = "";

        public long At { get; set; }
    }
}
