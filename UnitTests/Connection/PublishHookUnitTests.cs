using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RealtimeAspire.ConnectionService;
using RealtimeAspire.ConnectionService.Connections;
using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.ConnectionService.PublishHooks;
using RealtimeAspire.Contracts;
using StandardWebhooks;

namespace RealtimeAspire.Tests.Connection;

/// <summary>The publish hook's decisions against a fake hook: each answer, each failure, and the request it signs.</summary>
public sealed class PublishHookUnitTests
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private static readonly ConnectionUser Alice = new("u-1", "alice", "token", DateTimeOffset.MaxValue);

    private static readonly ClientFrame Message = new(ClientFrameType.Message) { Room = "r", Content = "hi", Id = "c-1" };

    [Theory]
    [InlineData("""{"action":"accept"}""", "hi", null, null)]
    [InlineData("""{"action":"reject","reason":"no"}""", null, ErrorCodes.Rejected, "no")]
    [InlineData("""{"action":"reject"}""", null, ErrorCodes.Rejected, "The message was rejected.")]
    [InlineData("""{"action":"replace","content":"new","data":{"a":1}}""", "new", null, null)]
    public async Task Each_answer_becomes_its_verdict(string answer, string? content, string? errorCode, string? errorMessage)
    {
        var verdict = await CheckAsync(Answer(HttpStatusCode.OK, answer), PublishHookFailure.Reject);

        Assert.Equal((content, errorCode, errorMessage), (verdict.Content, verdict.ErrorCode, verdict.ErrorMessage));
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, """{"action":"accept"}""")]
    [InlineData(HttpStatusCode.OK, "not json")]
    [InlineData(HttpStatusCode.OK, """{"action":"maybe"}""")]
    [InlineData(HttpStatusCode.OK, """{"action":"replace"}""")]
    [InlineData(HttpStatusCode.OK, """{"action":"replace","data":[1]}""")]
    [InlineData(HttpStatusCode.OK, """{"action":"replace","content":""}""")]
    public async Task An_unusable_answer_is_a_failure_that_the_operator_s_setting_decides(HttpStatusCode status, string answer)
    {
        var open = await CheckAsync(Answer(status, answer), PublishHookFailure.Accept);
        var closed = await CheckAsync(Answer(status, answer), PublishHookFailure.Reject);

        Assert.Equal(("hi", false), (open.Content, open.Refused));
        Assert.Equal(ErrorCodes.Unavailable, closed.ErrorCode);
    }

    [Fact]
    public async Task A_hook_that_does_not_answer_within_the_timeout_is_a_failure()
    {
        Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> never = async (_, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("unreachable");
        };

        var closed = await CheckAsync(never, PublishHookFailure.Reject, timeoutMs: 50).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(ErrorCodes.Unavailable, closed.ErrorCode);
    }

    [Fact]
    public async Task The_request_carries_every_field_and_verifies_with_standard_webhooks()
    {
        string? body = null;
        var headers = new HeaderDictionary();
        var verdict = await CheckAsync(async (request, token) =>
        {
            body = await request.Content!.ReadAsStringAsync(token);
            foreach (var header in request.Headers)
            {
                headers[header.Key] = header.Value.ToArray();
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"action":"accept"}""") };
        }, PublishHookFailure.Reject, frame: Message with { Content = null, Data = JsonElement.Parse("""{"k":1}""") });

        new StandardWebhook(Secret).Verify(body!, headers);
        Assert.Equal("""{"room":"r","userId":"u-1","username":"alice","content":null,"data":{"k":1}}""", body);
        Assert.False(verdict.Refused);
    }

    private static Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Answer(HttpStatusCode status, string body) =>
        (_, _) => Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") });

    private static async Task<PublishVerdict> CheckAsync(
        Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> hook, PublishHookFailure onFailure, int timeoutMs = 5_000, ClientFrame? frame = null)
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var options = Options.Create(new PublishHookOptions { Url = "http://hook.test/check", OnFailure = onFailure, TimeoutMs = timeoutMs, Secret = Secret });
        var publishHook = new PublishHook(new FakeHttpClientFactory(hook), options, new ClientFrameParser(4000),
            new RealtimeMetrics(services.GetRequiredService<IMeterFactory>(), new RealtimeOptions()), TimeProvider.System, NullLogger<PublishHook>.Instance);
        return await publishHook.CheckAsync("r", Alice, frame ?? Message, CancellationToken.None);
    }

    private sealed class FakeHttpClientFactory(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> hook) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(new Handler(hook));

        private sealed class Handler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> hook) : HttpMessageHandler
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => hook(request, cancellationToken);
        }
    }
}
