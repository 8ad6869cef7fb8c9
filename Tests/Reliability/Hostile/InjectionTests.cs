using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Npgsql;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RealtimeAspire.Tests.Reliability;

/// <summary>
/// SQL and header (CRLF) injection strings in every field a client controls: each is refused with a clear 400 (or
/// the protocol's error, or the 401 a wrong login gets, or the 404 of an unknown member) or stored and returned
/// verbatim; no answer is a 5xx, no response carries an injected header, and both databases are intact afterwards.
/// </summary>
[Collection(RealtimeAppCollection.Name)]
public sealed class InjectionTests(RealtimeAppFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static readonly string[] Hostile =
    [
        "' OR '1'='1' --",
        "'; DROP TABLE users; --",
        "\"; DROP TABLE \"Messages\"; --",
        "1; SELECT pg_sleep(10); --",
        "Robert'); DELETE FROM refresh_tokens; --",
        "%' AND 1=1 --",
        "line\r\nX-Injected: yes",
        "%0d%0aSet-Cookie: injected=1",
        "\r\n\r\n<script>alert(1)</script>",
        "\0nul\u0001byte",
    ];

    [Fact]
    public async Task Injection_strings_in_every_field_are_refused_or_kept_verbatim_and_the_databases_stay_intact()
    {
        using var http = fixture.CreateGatewayClient();
        // Failed logins from an address of their own, so the throttle of 127.0.0.1 is not used up for other tests.
        using var guessing = LoopbackClient.From("127.0.0.3", fixture.GatewayUri);
        var user = await RealtimeTestClient.CreateUserAsync(http, "inject");
        var usersBefore = await CountAsync("authdb", "SELECT count(*) FROM users");
        var outcomes = new Dictionary<string, Dictionary<int, int>>();
        void Count(string field, int outcome)
        {
            var byOutcome = outcomes.TryGetValue(field, out var found) ? found : outcomes[field] = [];
            byOutcome[outcome] = byOutcome.GetValueOrDefault(outcome) + 1;
        }

        foreach (var text in Hostile)
        {
            Count("register.username", await StatusAsync(http.PostAsJsonAsync("/api/auth/register", new { username = text, password = "long-enough-1" })));
            Count("token.username", await StatusAsync(guessing.PostAsJsonAsync("/api/auth/token", new { username = text, password = text })));
            Count("refresh.refreshToken", await StatusAsync(http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = text })));
            Count("rooms.room", await SendAsync(http, HttpMethod.Post, "/api/rooms", user, new { room = text, visibility = "private" }));
            Count("rooms.visibility", await SendAsync(http, HttpMethod.Post, "/api/rooms", user, new { room = RealtimeTestKit.NewRoom("inj"), visibility = text }));
            Count("rooms.members", await SendAsync(http, HttpMethod.Post, "/api/rooms", user, new { room = RealtimeTestKit.NewRoom("inj"), visibility = "private", members = new[] { text } }));
            Count("path.room", await SendAsync(http, HttpMethod.Get, $"/api/rooms/{Uri.EscapeDataString(text)}/messages", user));
            Count("query.after", await SendAsync(http, HttpMethod.Get, $"/api/rooms/inj/messages?after={Uri.EscapeDataString(text)}", user));
            Count("query.before", await SendAsync(http, HttpMethod.Get, $"/api/rooms/inj/messages?before={Uri.EscapeDataString(text)}", user));
            Count("query.limit", await SendAsync(http, HttpMethod.Get, $"/api/rooms/inj/messages?limit={Uri.EscapeDataString(text)}", user));
        }

        // A room of the user's own, for the member names and the fields that are stored.
        var room = RealtimeTestKit.NewRoom("inj");
        Assert.Equal(201, await SendAsync(http, HttpMethod.Post, "/api/rooms", user, new { room, visibility = "private" }));
        foreach (var text in Hostile)
        {
            Count("members.username", await SendAsync(http, HttpMethod.Post, $"/api/rooms/{room}/members", user, new { username = text }));
            Count("members.delete", await SendAsync(http, HttpMethod.Delete, $"/api/rooms/{room}/members/{Uri.EscapeDataString(text)}", user));
        }

        // Passwords are any 8..128 characters: kept (as a hash) verbatim, so the same string logs in.
        var passwordLogins = 0;
        foreach (var text in Hostile)
        {
            var username = $"pw_{Guid.NewGuid():N}"[..20];
            var password = text.PadRight(8, '.');
            Count("register.password", await StatusAsync(http.PostAsJsonAsync("/api/auth/register", new { username, password })));
            passwordLogins += await StatusAsync(http.PostAsJsonAsync("/api/auth/token", new { username, password })) == 200 ? 1 : 0;
        }

        // Over the WebSocket: room names are refused; content and client ids are stored and returned verbatim.
        var verbatim = 0;
        await using (var client = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user))
        {
            await client.JoinAsync(room);
            foreach (var text in Hostile)
            {
                await client.SendAsync(new { type = "join", room = text });
                Count("ws.room", (await client.ExpectAsync("error")).Str("code") == "invalid_room" ? 400 : 0);
                if (text.Contains('\0'))
                {
                    // PostgreSQL text cannot hold U+0000: such content is refused, not stored altered.
                    await client.SendAsync(new { type = "message", room, content = text, id = "nul" });
                    Count("ws.content-with-nul", (await client.ExpectAsync("error")).Str("code") == "invalid_message" ? 400 : 0);
                    continue;
                }

                var ack = await client.SendMessageAsync(room, text, text);
                var delivered = await client.WaitForAsync("message", frame => frame.Str("messageId") == ack.Str("messageId"));
                verbatim += ack.Str("id") == text && delivered.Str("content") == text ? 1 : 0;
            }
        }

        // History answers every acked message at once (merged from Redis until MessageService has stored it).
        var history = await ReadHistoryAsync(http, user, room);
        var storable = Hostile.Where(text => !text.Contains('\0')).ToList();

        var headers = await HeaderInjectionAsync();
        var usersAfter = await CountAsync("authdb", "SELECT count(*) FROM users");
        // Stored asynchronously (MessageService consumes the room's stream): wait for all of them, or time out.
        const string storedInRoom = "SELECT count(*) FROM \"Messages\" WHERE \"Room\" = @room";
        var storedMessages = await CountAsync("messagesdb", storedInRoom, room);
        for (var deadline = DateTime.UtcNow + Timeout; storedMessages < storable.Count && DateTime.UtcNow < deadline; storedMessages = await CountAsync("messagesdb", storedInRoom, room))
        {
            await Task.Delay(250);
        }

        var rooms = await CountAsync("messagesdb", "SELECT count(*) FROM \"Rooms\"");
        var refreshTokens = await CountAsync("authdb", "SELECT count(*) FROM refresh_tokens");

        new ReliabilityReport("hostile-injection", output)
            .Set("strings", Hostile.Length)
            .Set("statusByField", outcomes)
            .Set("passwordsThatLogIn", passwordLogins)
            .Set("wsContentAndIdVerbatim", verbatim)
            .Set("historyVerbatim", history.Count(item => Hostile.Contains(item)))
            .Set("headerInjection", headers)
            .Set("usersBefore", usersBefore)
            .Set("usersAfter", usersAfter)
            .Set("storedMessages", storedMessages)
            .Set("rooms", rooms)
            .Set("refreshTokens", refreshTokens)
            .Write();

        Assert.All(outcomes.Where(field => field.Key is not ("register.password" or "token.username" or "refresh.refreshToken" or "members.username" or "members.delete")),
            field => Assert.True(field.Value.Keys.SequenceEqual([400]), $"{field.Key}: {string.Join(", ", field.Value.Keys)}"));
        Assert.Equal([201], outcomes["register.password"].Keys.ToArray());
        Assert.Equal([401], outcomes["token.username"].Keys.ToArray());
        Assert.Equal([401], outcomes["refresh.refreshToken"].Keys.ToArray());
        Assert.All(outcomes["members.username"].Keys.Concat(outcomes["members.delete"].Keys), status => Assert.True(status is 400 or 404, $"members: {status}"));
        Assert.Equal(Hostile.Length, passwordLogins);
        Assert.Equal(storable.Count, verbatim);
        Assert.Equal(storable.Order(), history.Order());
        Assert.All(headers, answer => Assert.False(answer.Value, $"{answer.Key} carried an injected header"));
        Assert.Equal(usersBefore + Hostile.Length, usersAfter);
        Assert.Equal(storable.Count, storedMessages);
        Assert.True(rooms >= 1 && refreshTokens >= 1);
    }

    /// <summary>Encoded CR LF in the path and query, and a bare CR in a header value, over a raw connection.</summary>
    private async Task<Dictionary<string, bool>> HeaderInjectionAsync()
    {
        var requests = new Dictionary<string, string>
        {
            ["path"] = "GET /api/rooms/a%0D%0ASet-Cookie:%20injected=1/messages HTTP/1.1",
            ["query"] = "GET /api/rooms/inj/messages?after=1%0D%0AX-Injected:%20yes HTTP/1.1",
            ["ws-query"] = "GET /ws?access_token=%0D%0AX-Injected:%20yes HTTP/1.1",
            ["header-bare-cr"] = "GET /api/auth/.well-known/jwks.json HTTP/1.1\r\nX-Test: a\rX-Injected: yes",
        };
        var injected = new Dictionary<string, bool>();
        foreach (var (name, head) in requests)
        {
            var answer = await RawHttpAsync($"{head}\r\nHost: {fixture.GatewayUri.Authority}\r\nConnection: close\r\n\r\n");
            var responseHead = answer.Split("\r\n\r\n")[0];
            injected[name] = responseHead.Split("\r\n").Skip(1).Any(line =>
                line.StartsWith("X-Injected", StringComparison.OrdinalIgnoreCase) || line.Contains("injected=1", StringComparison.OrdinalIgnoreCase));
            Assert.StartsWith("HTTP/1.1 ", responseHead);
            Assert.False(responseHead[9] == '5', $"{name}: {responseHead.Split("\r\n")[0]}");
        }

        return injected;
    }

    private async Task<string> RawHttpAsync(string request)
    {
        using var tcp = new TcpClient();
        using var timeout = new CancellationTokenSource(Timeout);
        await tcp.ConnectAsync(fixture.GatewayUri.Host, fixture.GatewayUri.Port, timeout.Token);
        await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes(request), timeout.Token);
        using var reader = new StreamReader(tcp.GetStream(), Encoding.ASCII);
        return await reader.ReadToEndAsync(timeout.Token);
    }

    private static async Task<List<string>> ReadHistoryAsync(HttpClient http, TestUser user, string room)
    {
        using var request = RealtimeTestKit.Authorized(HttpMethod.Get, $"/api/rooms/{room}/messages?limit=200", user);
        using var response = await http.SendAsync(request).WaitAsync(Timeout);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("messages").EnumerateArray().Select(message => message.Str("content")).ToList();
    }

    private static async Task<int> SendAsync(HttpClient http, HttpMethod method, string path, TestUser user, object? body = null)
    {
        using var request = RealtimeTestKit.Authorized(method, path, user, body);
        return await StatusAsync(http.SendAsync(request));
    }

    private static async Task<int> StatusAsync(Task<HttpResponseMessage> sending)
    {
        using var response = await sending.WaitAsync(Timeout);
        return (int)response.StatusCode;
    }

    private async Task<long> CountAsync(string database, string sql, string? room = null)
    {
        await using var connection = new NpgsqlConnection(await fixture.App.GetConnectionStringAsync(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        if (room is not null)
        {
            command.Parameters.AddWithValue("room", room);
        }

        return (long)(await command.ExecuteScalarAsync().WaitAsync(Timeout))!;
    }
}
