using System.Net.WebSockets;
using static Microsoft.Playwright.Assertions;

namespace RealtimeAspire.Tests.Browser;

/// <summary>
/// The web client's connection rules (Gateway/wwwroot/js/realtime-client.js) in Chromium, against
/// <see cref="FakeChatBackend"/>, which can close connections with any code and refuse new ones on demand.
/// </summary>
public sealed class WebClientTests : IAsyncLifetime
{
    private const string Room = "lobby";
    private readonly ChromiumSession _chromium = new();
    private FakeChatBackend _backend = null!;

    public async Task InitializeAsync()
    {
        await _chromium.InitializeAsync();
        _backend = await FakeChatBackend.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task After_a_drain_close_it_reconnects_rejoins_with_since_and_shows_what_it_missed_once()
    {
        var page = await SignedInAsync("dora");
        await _backend.PublishAsync(Room, "zed", "first");
        await page.ExpectMessageAsync("first");
        await page.RecordConnectionStatesAsync();

        _backend.RefuseConnections = true;
        await _backend.CloseAllAsync(WebSocketCloseStatus.EndpointUnavailable); // 1001: the replica drains
        await Expect(page.Page.Locator("#connection-state")).Not.ToHaveAttributeAsync("data-state", "live");
        await _backend.PublishAsync(Room, "zed", "second");
        await _backend.PublishAsync(Room, "zed", "third");
        _backend.RefuseConnections = false;

        await page.ExpectLiveAsync();
        foreach (var text in new[] { "first", "second", "third" })
        {
            await page.ExpectMessageAsync(text);
        }
        var joins = _backend.FramesOf("dora", "join").ToList();
        Assert.Null(joins[0]["since"]);
        Assert.Equal(1, (long?)joins[^1]["since"]);
        Assert.Contains(await page.ConnectionStatesAsync(), s => s.State == "reconnecting");
    }

    [Fact]
    public async Task A_message_written_offline_waits_and_goes_out_once_the_connection_is_back()
    {
        var page = await SignedInAsync("erin");
        _backend.RefuseConnections = true;
        await _backend.CloseAllAsync(WebSocketCloseStatus.InternalServerError);
        await Expect(page.Page.Locator("#connection-state")).Not.ToHaveAttributeAsync("data-state", "live");

        await page.SendAsync("written offline");
        await Expect(page.Page.Locator("#message-list li.pending")).ToContainTextAsync("Waiting for the connection");
        Assert.Empty(_backend.FramesOf("erin", "message"));

        _backend.RefuseConnections = false;
        await page.ExpectMessageAsync("written offline");
        await Expect(page.Page.Locator("#message-list li.pending")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_message_whose_ack_was_lost_is_resent_with_the_same_id_and_shown_once()
    {
        var page = await SignedInAsync("fay");
        _backend.DropNextAck = true;

        await page.SendAsync("ack lost on the way");
        await page.ExpectMessageAsync("ack lost on the way");
        await Expect(page.Page.Locator("#message-list li.pending")).ToHaveCountAsync(0);

        var sent = _backend.FramesOf("fay", "message").ToList();
        Assert.Equal(2, sent.Count);
        Assert.Equal((string?)sent[0]["id"], (string?)sent[1]["id"]);
        Assert.Equal(2, _backend.Connected.Count(c => c.User == "fay"));
    }

    [Fact]
    public async Task A_4401_close_makes_it_refresh_the_token_and_reconnect_with_the_new_one()
    {
        var page = await SignedInAsync("gus");

        await _backend.CloseAllAsync((WebSocketCloseStatus)4401);

        await EventuallyAsync(() => _backend.Connected.Count(c => c.User == "gus") == 2);
        await page.ExpectLiveAsync();
        var tokens = _backend.Connected.Where(c => c.User == "gus").Select(c => c.Token).ToList();
        Assert.NotEqual(tokens[0], tokens[1]);
        Assert.Equal(1, _backend.RefreshCount);
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(4001)]
    public async Task Closes_1000_and_4001_stop_it_from_reconnecting(int code)
    {
        var page = await SignedInAsync($"hal{code}");

        await _backend.CloseAllAsync((WebSocketCloseStatus)code);

        await Expect(page.Page.Locator("#connection-state")).ToHaveAttributeAsync("data-state", "offline");
        // Longer than its first backoff steps: a client that meant to come back would have tried by now.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Single(_backend.Connected, c => c.User == $"hal{code}");
        await Expect(page.Page.Locator("#connection-state")).ToHaveAttributeAsync("data-state", "offline");
    }

    [Fact]
    public async Task It_refreshes_the_token_before_expiry_and_sends_the_new_one_on_the_live_connection()
    {
        _backend.TokenLifetime = TimeSpan.FromSeconds(9);
        var page = await SignedInAsync("ivy");

        await EventuallyAsync(() => _backend.FramesOf("ivy", "auth").Any());

        Assert.True(_backend.RefreshCount >= 1);
        Assert.Single(_backend.Connected, c => c.User == "ivy");
        await page.ExpectLiveAsync();
    }

    [Fact]
    public async Task History_shows_the_latest_page_and_scrolls_back_to_older_messages()
    {
        for (var i = 1; i <= 70; i++)
        {
            await _backend.PublishAsync(Room, "zed", $"old message {i:D2}");
        }

        var page = await SignedInAsync("jan");
        var messages = page.Page.Locator("#message-list li.message");
        await Expect(messages).ToHaveCountAsync(50);
        await Expect(messages.First).ToContainTextAsync("old message 21");
        await Expect(messages.Last).ToContainTextAsync("old message 70");

        // Scrolling to the top brings the older page (the "Load older messages" button does the same by keyboard).
        await page.Page.Locator("#messages").HoverAsync();
        await page.Page.Mouse.WheelAsync(0, -100_000);

        await Expect(messages).ToHaveCountAsync(70);
        await Expect(messages.First).ToContainTextAsync("old message 01");
        await Expect(page.Page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Load older messages" })).ToBeHiddenAsync();
    }

    [Fact]
    public async Task A_data_only_message_shows_as_a_compact_json_preview_live_and_in_history()
    {
        await _backend.PublishDataAsync(Room, "zed", System.Text.Json.JsonElement.Parse("""{"kind":"order","id":17,"lines":[{"sku":"x"}]}"""));
        var page = await SignedInAsync("kim");
        await _backend.PublishDataAsync(Room, "zed", System.Text.Json.JsonElement.Parse($$"""{"long":"{{new string('y', 400)}}"}"""), "with text");
        await _backend.PublishAsync(Room, "zed", "plain after data");

        var messages = page.Page.Locator("#message-list li.message");
        await Expect(messages).ToHaveCountAsync(3);
        await Expect(messages.Nth(0).Locator("code.data")).ToHaveTextAsync("""{"kind":"order","id":17,"lines":[{"sku":"x"}]}""");
        await Expect(messages.Nth(0).Locator("p.content")).ToHaveCountAsync(0);
        await Expect(messages.Nth(1).Locator("p.content")).ToHaveTextAsync("with text");
        // A long payload is cut short in the list; the whole JSON is its tooltip.
        await Expect(messages.Nth(1).Locator("code.data")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^\\{\"long\":\"y+…$"));
        await Expect(messages.Nth(1).Locator("code.data")).ToHaveAttributeAsync("title", new System.Text.RegularExpressions.Regex(new string('y', 400)));
        await Expect(messages.Nth(2).Locator("code.data")).ToHaveCountAsync(0);
    }

    private static async Task EventuallyAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + ChatPage.Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not come true in time.");
            await Task.Delay(100);
        }
    }

    private async Task<ChatPage> SignedInAsync(string username)
    {
        var context = await _chromium.Browser.NewContextAsync(new() { BaseURL = _backend.Url.ToString() });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        var chat = new ChatPage(context, page, username);
        await page.GotoAsync("/");
        await chat.RegisterAsync();
        await Expect(page.Locator("#room-title")).ToHaveTextAsync(Room);
        await Expect(page.Locator("#presence")).ToContainTextAsync(username);
        return chat;
    }
}
