using RealtimeAspire.Tests.Gateway;
using RealtimeAspire.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace RealtimeAspire.Tests.Browser;

/// <summary>
/// The web client in a real browser (Debian's Chromium) against the whole running system, through the Gateway.
/// Two users, each in a browser context of their own, pinned to different ConnectionService replicas.
/// </summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class ChatBrowserTests(RealtimeAppFixture fixture) : IAsyncLifetime
{
    private const string Replica1 = "connection-service-1";
    private const string Replica2 = "connection-service-2";
    private static readonly TimeSpan ResourceTimeout = ReplicaLifecycle.Timeout;

    private readonly ChromiumSession _chromium = new();

    public Task InitializeAsync() => _chromium.InitializeAsync();

    public Task DisposeAsync() => _chromium.DisposeAsync();

    [Fact]
    public async Task Two_users_register_join_a_room_and_chat_with_typing_presence_and_mentions()
    {
        var room = $"e2e-{Guid.NewGuid():N}"[..20];
        var alice = await ChatPage.OpenAsync(_chromium.Browser, fixture.GatewayUri, UniqueName("alice"), Replica1);
        var bob = await ChatPage.OpenAsync(_chromium.Browser, fixture.GatewayUri, UniqueName("bob"), Replica2);

        await alice.RegisterAsync();
        await bob.RegisterAsync();
        await alice.JoinAsync(room);
        await bob.JoinAsync(room);

        // Presence: each sees the other, across replicas.
        await Expect(alice.Page.Locator("#presence")).ToContainTextAsync(bob.Username);
        await Expect(bob.Page.Locator("#presence")).ToContainTextAsync(alice.Username);

        await alice.SendAsync($"Hello @{bob.Username}, this is Alice");
        await bob.ExpectMessageAsync("this is Alice");
        await Expect(bob.Page.Locator("#message-list li.mentions-me")).ToHaveCountAsync(1);
        await Expect(bob.Page.Locator("#message-list li.mentions-me mark.mention")).ToHaveTextAsync($"@{bob.Username}");

        // Typing: Bob types without sending; Alice sees it.
        await bob.Page.GetByLabel("Message", new() { Exact = true }).PressSequentiallyAsync("Hi Al");
        await Expect(alice.Page.Locator("#typing")).ToHaveTextAsync($"{bob.Username} is typing…");

        await bob.Page.GetByLabel("Message", new() { Exact = true }).PressSequentiallyAsync("ice, Bob here");
        await bob.Page.GetByLabel("Message", new() { Exact = true }).PressAsync("Enter");
        await alice.ExpectMessageAsync("Hi Alice, Bob here");
        await alice.ExpectMessageAsync("this is Alice");

        Assert.Equal(Replica1, await alice.ReplicaAsync());
        Assert.Equal(Replica2, await bob.ReplicaAsync());

        var screenshot = ChromiumSession.ArtifactPath("chat-two-users.png");
        await alice.Page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 0);
    }

    [Fact]
    public async Task When_a_users_replica_stops_the_page_reconnects_and_shows_every_message_sent_meanwhile()
    {
        var room = $"e2e-{Guid.NewGuid():N}"[..20];
        var alice = await ChatPage.OpenAsync(_chromium.Browser, fixture.GatewayUri, UniqueName("alice"), Replica1);
        var bob = await ChatPage.OpenAsync(_chromium.Browser, fixture.GatewayUri, UniqueName("bob"), Replica2);
        await alice.RegisterAsync();
        await bob.RegisterAsync();
        await alice.JoinAsync(room);
        await bob.JoinAsync(room);
        await alice.SendAsync("before the stop");
        await bob.ExpectMessageAsync("before the stop");
        await bob.RecordConnectionStatesAsync();

        var meanwhile = Enumerable.Range(1, 3).Select(i => $"sent while Bob was away #{i}").ToList();
        try
        {
            await ReplicaLifecycle.StopAsync(fixture.App, Replica2);

            long lastSentAt = 0;
            foreach (var text in meanwhile)
            {
                await alice.SendAsync(text);
                await alice.ExpectMessageAsync(text);
                lastSentAt = await alice.NowAsync();
            }
            // Bob writes while disconnected: the page keeps it and sends it once it is back.
            await bob.SendAsync("queued by Bob while offline");

            await bob.ExpectLiveAsync(ResourceTimeout);
            foreach (var text in meanwhile.Append("before the stop"))
            {
                await bob.ExpectMessageAsync(text);
            }
            await alice.ExpectMessageAsync("queued by Bob while offline");
            await bob.ExpectMessageAsync("queued by Bob while offline");

            var states = await bob.ConnectionStatesAsync();
            Assert.Contains(states, s => s.State == "reconnecting");
            // Bob was away while Alice wrote: he came back (live) only after her last message was acknowledged.
            Assert.True(states.Last().State == "live" && states.Last().At > lastSentAt,
                $"Bob's states: {string.Join(", ", states)}; Alice's last message at {lastSentAt}");
            Assert.Equal(Replica1, await bob.ReplicaAsync());

            await bob.Page.ScreenshotAsync(new() { Path = ChromiumSession.ArtifactPath("chat-after-replica-stop.png"), FullPage = true });
        }
        finally
        {
            await ReplicaLifecycle.StartAsync(fixture.App, Replica2);
        }
    }

    [Fact]
    public async Task The_page_is_usable_on_a_phone_sized_screen_with_the_keyboard()
    {
        var context = await _chromium.Browser.NewContextAsync(new()
        {
            BaseURL = fixture.GatewayUri.ToString(),
            ViewportSize = new() { Width = 390, Height = 780 },
            IsMobile = true,
            HasTouch = true,
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout((float)ChatPage.Timeout.TotalMilliseconds);
        var user = new ChatPage(context, page, UniqueName("carol"));
        await page.GotoAsync("/");

        await user.RegisterAsync();
        // The room list folds away behind a button on a narrow screen.
        await Expect(page.Locator("#room-panel")).ToBeHiddenAsync();
        await page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Rooms" }).ClickAsync();
        await Expect(page.GetByLabel("Join a room", new() { Exact = true })).ToBeVisibleAsync();
        await user.JoinAsync($"e2e-{Guid.NewGuid():N}"[..20]);
        await user.SendAsync("typed on a phone");
        await user.ExpectMessageAsync("typed on a phone");

        var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth");
        Assert.False(overflow, "The page is wider than the phone's screen.");
        await page.ScreenshotAsync(new() { Path = ChromiumSession.ArtifactPath("chat-phone.png") });
    }

    private static string UniqueName(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..(prefix.Length + 9)];
}
