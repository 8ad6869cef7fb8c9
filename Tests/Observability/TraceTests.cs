using RealtimeAspire.Tests.Connection;
using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Observability;

/// <summary>One trace follows a message: its send on the sender's replica, Redis, fanout on the replicas, storage.</summary>
[Collection(TracingAppCollection.Name)]
public sealed class TraceTests(TracingAppFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_messages_spans_in_ConnectionService_and_MessageService_share_one_trace()
    {
        using var gateway = fixture.CreateGatewayClient();
        var user = await RealtimeTestClient.CreateUserAsync(gateway, "trace");
        var room = RealtimeTestKit.NewRoom("trace");
        await using var client = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user).WaitAsync(Timeout);
        await client.JoinAsync(room).WaitAsync(Timeout);
        await client.SendMessageAsync(room, "traced").WaitAsync(Timeout);
        await client.WaitForAsync("message", frame => frame.Str("content") == "traced", Timeout).WaitAsync(Timeout);

        var send = await EventuallyAsync(() => fixture.Receiver.Spans.SingleOrDefault(span =>
            span.Name == "message send" && span.Attributes.GetValueOrDefault("realtime.room") == room));
        Assert.Equal(client.ReplicaId, send.Service);
        // Its own trace, not the long-lived WebSocket request's.
        Assert.Equal("", send.ParentSpanId);

        var trace = await EventuallyAsync(() =>
        {
            var spans = fixture.Receiver.Spans.Where(span => span.TraceId == send.TraceId).ToList();
            return spans.Any(span => span.Name == "handoff receive") && spans.Any(span => span.Name == "message fanout")
                && spans.Any(span => IsRedisStepOf(send, span)) ? spans : null;
        });

        var stored = Assert.Single(trace, span => span.Name == "handoff receive");
        Assert.Equal("message-service", stored.Service);
        var fanout = Assert.Single(trace, span => span.Name == "message fanout");
        Assert.Equal(client.ReplicaId, fanout.Service);
        // The Redis step (the hand-off script) is a child of the send; Redis spans are exported every few seconds.
        Assert.Contains(trace, span => IsRedisStepOf(send, span));
    }

    private static bool IsRedisStepOf(ReceivedSpan send, ReceivedSpan span) =>
        span.Service == send.Service && span.ParentSpanId == send.SpanId && span.Name.StartsWith("EVAL", StringComparison.Ordinal);

    private static async Task<T> EventuallyAsync<T>(Func<T?> find) where T : class
    {
        using var deadline = new CancellationTokenSource(Timeout);
        while (true)
        {
            if (find() is { } found)
            {
                return found;
            }

            await Task.Delay(500, deadline.Token);
        }
    }
}
