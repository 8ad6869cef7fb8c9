using System.Net;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using RealtimeAspire.ConnectionService;
using RealtimeAspire.ConnectionService.Upstream;

namespace RealtimeAspire.Tests.Connection;

/// <summary>The replica's cache of MessageService's access answers: grants only, and none that predates a removal.</summary>
public sealed class AccessCacheTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_grant_is_reused_and_a_refusal_is_asked_again()
    {
        var messageService = new FakeMessageService();
        var client = messageService.CreateClient();

        messageService.Answer("granted", canRead: true);
        messageService.Answer("refused", canRead: false);
        var grants = new[] { await client.CanJoinAsync("granted", "u1", default), await client.CanJoinAsync("granted", "u1", default) };
        var firstRefusal = await client.CanJoinAsync("refused", "u1", default);
        messageService.Answer("refused", canRead: true);
        var afterAdding = await client.CanJoinAsync("refused", "u1", default);

        Assert.Equal([true, true], grants);
        Assert.Equal(1, messageService.Calls("granted"));
        Assert.False(firstRefusal);
        Assert.True(afterAdding);
        Assert.Equal(2, messageService.Calls("refused"));
    }

    [Fact]
    public async Task A_grant_that_was_on_its_way_when_the_removal_arrived_is_not_reused()
    {
        var messageService = new FakeMessageService();
        var client = messageService.CreateClient();
        messageService.Answer("room", canRead: true);
        var answerHeld = messageService.HoldNextAnswer();

        var inFlight = client.CanJoinAsync("room", "u1", default);
        await answerHeld.Reached.WaitAsync(Timeout);
        client.ForgetAccess("room", "u1");
        messageService.Answer("room", canRead: false);
        answerHeld.Release(canRead: true);
        var beforeTheRemoval = await inFlight.WaitAsync(Timeout);
        var next = await client.CanJoinAsync("room", "u1", default).WaitAsync(Timeout);

        Assert.True(beforeTheRemoval);
        Assert.False(next);
        Assert.Equal(2, messageService.Calls("room"));
    }

    /// <summary>MessageService's access endpoints: a set answer per room, counted calls, and one answer that can be held back.</summary>
    private sealed class FakeMessageService : HttpMessageHandler, IHttpClientFactory
    {
        private readonly Dictionary<string, bool> _answers = [];
        private readonly Dictionary<string, int> _calls = [];
        private HeldAnswer? _held;

        public MessageServiceClient CreateClient() =>
            new(this, new MemoryCache(new MemoryCacheOptions { SizeLimit = 100 }), new RealtimeOptions { AccessCacheMs = 60_000 });

        public HttpClient CreateClient(string name) => new(this, disposeHandler: false) { BaseAddress = new Uri("http://message-service") };

        public void Answer(string room, bool canRead)
        {
            lock (_answers)
            {
                _answers[room] = canRead;
            }
        }

        public int Calls(string room)
        {
            lock (_answers)
            {
                return _calls.GetValueOrDefault(room);
            }
        }

        public HeldAnswer HoldNextAnswer() => _held = new HeldAnswer();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var room = Uri.UnescapeDataString(request.RequestUri!.AbsolutePath.Split('/')[3]);
            bool canRead;
            lock (_answers)
            {
                _calls[room] = _calls.GetValueOrDefault(room) + 1;
                canRead = _answers[room];
            }

            if (Interlocked.Exchange(ref _held, null) is { } held)
            {
                canRead = await held.WaitAsync();
            }

            var json = $$"""{"room":"{{room}}","exists":true,"visibility":"private","canRead":{{(canRead ? "true" : "false")}}}""";
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        }
    }

    private sealed class HeldAnswer
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<bool> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Reached => _reached.Task;

        public void Release(bool canRead) => _answer.TrySetResult(canRead);

        public Task<bool> WaitAsync()
        {
            _reached.TrySetResult();
            return _answer.Task;
        }
    }
}
