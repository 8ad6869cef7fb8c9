using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Messages;

/// <summary>Helpers of the §7 tests: a user with a Gateway client, the room list, read positions.</summary>
public static class MyRoomsTestKit
{
    public static readonly TimeSpan Timeout = MessagesTestKit.Timeout;

    /// <summary>A fresh user (with its password, for a second session) and a Gateway client with its token.</summary>
    public static async Task<(TestUser User, HttpClient Client)> RegisterAsync(RealtimeAppFixture fixture)
    {
        using var anonymous = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(anonymous, "r").WaitAsync(Timeout);
        return (user, Authorized(fixture, user.AccessToken));
    }

    /// <summary>A second session of the same account: a new login, its own token.</summary>
    public static async Task<HttpClient> SignInAgainAsync(RealtimeAppFixture fixture, TestUser user)
    {
        using var anonymous = fixture.CreateGatewayClient();
        var (accessToken, _) = await RealtimeTestClient.LoginAsync(anonymous, user.Username, user.Password).WaitAsync(Timeout);
        return Authorized(fixture, accessToken);
    }

    public static async Task<List<JsonElement>> RoomsAsync(HttpClient client)
    {
        var body = await client.GetFromJsonAsync<JsonElement>("/api/rooms").WaitAsync(Timeout);
        return [.. body.GetProperty("rooms").EnumerateArray()];
    }

    public static JsonElement? Find(this List<JsonElement> rooms, string room) =>
        rooms.Select(r => (JsonElement?)r).FirstOrDefault(r => r!.Value.GetProperty("room").GetString() == room);

    /// <summary>
    /// The room list once <paramref name="done"/> holds: the list reads stored messages, which the hand-off consumer
    /// stores a moment after their ack.
    /// </summary>
    public static async Task<List<JsonElement>> RoomsWhenAsync(HttpClient client, Func<List<JsonElement>, bool> done)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (true)
        {
            var rooms = await RoomsAsync(client);
            if (done(rooms))
            {
                return rooms;
            }

            await Task.Delay(100, timeout.Token);
        }
    }

    public static async Task<JsonElement> PutReadAsync(HttpClient client, string room, long seq)
    {
        using var response = await client.PutAsJsonAsync($"/api/rooms/{room}/read", new { seq }).WaitAsync(Timeout);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>().WaitAsync(Timeout);
    }

    public static async Task<List<JsonElement>> ReadsAsync(HttpClient client, string room)
    {
        var body = await client.GetFromJsonAsync<JsonElement>($"/api/rooms/{room}/reads").WaitAsync(Timeout);
        return [.. body.GetProperty("reads").EnumerateArray()];
    }

    public static long Long(this JsonElement element, string name) => element.GetProperty(name).GetInt64();

    public static string? Text(this JsonElement element, string name) => element.GetProperty(name).GetString();

    private static HttpClient Authorized(RealtimeAppFixture fixture, string accessToken)
    {
        var client = fixture.CreateGatewayClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return client;
    }
}
