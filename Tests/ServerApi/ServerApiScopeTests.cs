using System.Net;
using RealtimeAspire.Contracts;
using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;
using static RealtimeAspire.Tests.ServerApi.ServerApiTestKit;

namespace RealtimeAspire.Tests.ServerApi;

/// <summary>Each server-API endpoint of this branch with its scope (its success), without it (403) and without a token (401).</summary>
[Collection(ServerApiAppCollection.Name)]
public class ServerApiScopeTests(ServerApiAppFixture fixture)
{
    public static TheoryData<string> Endpoints =>
        ["publish", "broadcast", "user-event", "history", "presence", "create-room", "add-member", "remove-member"];

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task An_endpoint_answers_with_its_scope_and_refuses_without_it(string endpoint)
    {
        var (scope, method, path, body, success) = await PrepareAsync(endpoint);
        using var allowed = fixture.CreateServerClient(await fixture.BackendTokenAsync(scope));
        using var refused = fixture.CreateServerClient(await fixture.BackendTokenAsync([.. ServerScopes.All.Where(other => other != scope)]));
        using var anonymous = fixture.CreateGatewayClient();

        var withoutScope = await SendAsync(refused, method, path, body);
        var withoutToken = await SendAsync(anonymous, method, path, body);
        var withScope = await SendAsync(allowed, method, path, body);

        Assert.Equal(HttpStatusCode.Forbidden, withoutScope.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, withoutToken.Status);
        Assert.True(withScope.Status == success, $"{endpoint} with {scope} answered {withScope.Status}: {withScope.Body}");
    }

    [Fact]
    public async Task A_user_token_and_the_reader_client_cannot_publish()
    {
        using var http = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(http, "notbackend");
        using var asUser = fixture.CreateGatewayClient();
        asUser.DefaultRequestHeaders.Authorization = new("Bearer", user.AccessToken);
        using var reader = fixture.CreateServerClient(
            await fixture.ClientTokenAsync(ServerApiAppFixture.ReaderId, ServerApiAppFixture.ReaderSecret));
        var room = RealtimeTestKit.NewRoom("scope");

        var byUser = await PostAsync(asUser, $"/api/server/rooms/{room}/messages", new { content = "x" });
        var byReader = await PostAsync(reader, $"/api/server/rooms/{room}/messages", new { content = "x" });
        var readerReads = await SendAsync(reader, HttpMethod.Get, $"/api/server/rooms/{room}/messages");

        Assert.Equal(HttpStatusCode.Forbidden, byUser.Status);
        Assert.Equal(HttpStatusCode.Forbidden, byReader.Status);
        Assert.Equal(HttpStatusCode.OK, readerReads.Status);
    }

    private async Task<(string Scope, HttpMethod Method, string Path, object? Body, HttpStatusCode Success)> PrepareAsync(string endpoint)
    {
        var room = RealtimeTestKit.NewRoom("scope");
        switch (endpoint)
        {
            case "publish":
                return (ServerScopes.RoomsPublish, HttpMethod.Post, $"/api/server/rooms/{room}/messages", new { content = "hi" }, HttpStatusCode.Created);
            case "broadcast":
                return (ServerScopes.RoomsPublish, HttpMethod.Post, "/api/server/broadcast", new { rooms = new[] { room }, content = "hi" }, HttpStatusCode.OK);
            case "user-event":
                return (ServerScopes.UsersNotify, HttpMethod.Post, $"/api/server/users/{Guid.NewGuid()}/events", new { data = new { a = 1 } }, HttpStatusCode.Accepted);
            case "history":
                return (ServerScopes.RoomsRead, HttpMethod.Get, $"/api/server/rooms/{room}/messages", null, HttpStatusCode.OK);
            case "presence":
                return (ServerScopes.RoomsRead, HttpMethod.Get, $"/api/server/rooms/{room}/presence", null, HttpStatusCode.OK);
            case "create-room":
                return (ServerScopes.RoomsAdmin, HttpMethod.Post, "/api/server/rooms", new { room, visibility = "private" }, HttpStatusCode.Created);
        }

        using var http = fixture.CreateGatewayClient();
        var owner = await RealtimeTestClient.CreateUserAsync(http, "owner");
        var member = await RealtimeTestClient.CreateUserAsync(http, "member");
        var created = await CreatePrivateRoomAsync(http, owner, endpoint == "remove-member" ? [member.Username] : []);
        return endpoint == "add-member"
            ? (ServerScopes.RoomsAdmin, HttpMethod.Post, $"/api/server/rooms/{created}/members", new { username = member.Username }, HttpStatusCode.NoContent)
            : (ServerScopes.RoomsAdmin, HttpMethod.Delete, $"/api/server/rooms/{created}/members/{member.Username}", null, HttpStatusCode.NoContent);
    }
}
