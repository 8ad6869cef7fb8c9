using RealtimeAspire.Tests.Gateway;
using RealtimeAspire.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace RealtimeAspire.Tests.Browser;

/// <summary>
/// The web client in a real browser (Debian's Chromium) against the whole running system, through the Gateway.
/// Two users, each in a browser context of their own, pinned to different ConnectionService replicas.
/// </summary>
[Collection(DisruptiveAppCollection.Name)]
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
        var stopping = ReplicaLifecycle.StopAsync(fixture.App, Replica2);
        try
        {
            // Bob's replica drains or dies: his page loses its connection; Alice, on the other replica, writes on.
            await Expect(bob.Page.Locator("#connection-state")).Not.ToHaveAttributeAsync("data-state", "live");
            foreach (var text in meanwhile)
            {
                await alice.SendAsync(text);
            }
            var lastSentAt = await alice.NowAsync();
            // Bob writes while disconnected: the page keeps it and sends it once it is back.
            await bob.SendAsync("queued by Bob while offline");
            await stopping;

            await bob.ExpectLiveAsync(ResourceTimeout);
            foreach (var text in meanwhile.Prepend("before the stop"))
            {
                await alice.ExpectMessageAsync(text);
                await bob.ExpectMessageAsync(text);
            }
            await alice.ExpectMessageAsync("queued by Bob while offline");
            await bob.ExpectMessageAsync("queued by Bob while offline");

            var states = await bob.ConnectionStatesAsync();
            Assert.Contains(states, s => s.State == "reconnecting");
            // Bob was away while Alice wrote: he came back (live) only after her last message had gone out.
            Assert.True(states.Last().State == "live" && states.Last().At > lastSentAt,
                $"Bob's states: {string.Join(", ", states)}; Alice's last message at {lastSentAt}");
            Assert.Equal(Replica1, await bob.ReplicaAsync());

            await bob.Page.ScreenshotAsync(new() { Path = ChromiumSession.ArtifactPath("chat-after-replica-stop.png"), FullPage = true });
        }
        finally
        {
            await stopping;
            await ReplicaLifecycle.StartAsync(fixture.App, Replica2);
            // Back in the Gateway's cluster too, for the tests after this one.
            using var probe = new ReplicaProbe(fixture.GatewayUri);
            await probe.WaitUntilStableAsync(Replica2, ResourceTimeout);
        }
    }

    [Fact]
    public async Task An_owner_creates_a_private_room_adds_a_member_and_an_outsider_is_refused()
    {
        var room = $"priv-{Guid.NewGuid():N}"[..20];
        var alice = await ChatPage.OpenAsync(_chromium.Browser, fixture.GatewayUri, UniqueName("alice"), Replica1);
        var bob = await ChatPage.OpenAsync(_chromium.Browser, fixture.GatewayUri, UniqueName("bob"), Replica2);
        var eve = await ChatPage.OpenAsync(_chromium.Browser, fixture.GatewayUri, UniqueName("eve"), Replica2);
        await alice.RegisterAsync();
        await bob.RegisterAsync();
        await eve.RegisterAsync();

        await alice.Page.GetByLabel("Room name", new() { Exact = true }).FillAsync(room);
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();
        await Expect(alice.Page.Locator("#side-status")).ToHaveTextAsync($"Created private room {room}");
        await Expect(alice.Page.Locator("#room-title")).ToHaveTextAsync(room);
        await alice.Page.GetByLabel($"Add a member to {room}", new() { Exact = true }).FillAsync(bob.Username);
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();
        await Expect(alice.Page.Locator("#side-status")).ToHaveTextAsync($"Added {bob.Username} to {room}");

        await bob.JoinAsync(room);
        await alice.SendAsync("for members only");
        await bob.ExpectMessageAsync("for members only");

        await eve.Page.GetByLabel("Join a room", new() { Exact = true }).FillAsync(room);
        await eve.Page.GetByLabel("Join a room", new() { Exact = true }).PressAsync("Enter");
        await Expect(eve.Page.Locator("#notice")).ToContainTextAsync($"Cannot join {room}");
        await Expect(eve.Page.Locator("#room-list")).Not.ToContainTextAsync(room);
        await Expect(eve.Messages("for members only")).ToHaveCountAsync(0);
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
        await page.GetByRole(AriaRole.Button, new() { Name = "Rooms" }).ClickAsync();
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
