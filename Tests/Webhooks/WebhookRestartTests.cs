using RealtimeAspire.Contracts;
using RealtimeAspire.Tests.Infrastructure;
using RealtimeAspire.Tests.Messages;

namespace RealtimeAspire.Tests.Webhooks;

/// <summary>Webhook delivery survives the death of the process that delivers (MessageService) in the middle of an attempt.</summary>
[Collection(ServerApiAppCollection.Name)]
public sealed class WebhookRestartTests(ServerApiAppFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task MessageService_stopped_mid_delivery_loses_nothing_and_retries_with_the_same_webhook_id()
    {
        var firstArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        string? firstWebhookId = null;
        async Task<int> Answer(ReceivedWebhookRequest request)
        {
            if (request.Index > 0)
            {
                return 200;
            }

            // The first attempt hangs until MessageService is gone: its answer never reaches anyone.
            firstWebhookId = request.WebhookId;
            firstArrived.TrySetResult();
            await release.Task.WaitAsync(TimeSpan.FromMinutes(3)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return 503;
        }

        var room = $"wh-kill-{Guid.NewGuid():N}"[..24];
        await using var endpoint = await WebhookTestEndpoint.RegisterAsync(fixture, [WebhookEventTypes.MessageCreated], [room], Answer);
        var receiver = endpoint.Receiver;
        var stopped = false;
        try
        {
            using var gateway = fixture.CreateGatewayClient();
            var user = await RealtimeTestClient.CreateUserAsync(gateway, "whk");
            await using var client = await RealtimeTestClient.ConnectAuthenticatedAsync(fixture.GatewayUri, user);
            await client.JoinAsync(room);
            await client.SendMessageAsync(room, "in flight");
            await firstArrived.Task.WaitAsync(Timeout);

            await MessageServiceLifecycle.StopAsync(fixture);
            stopped = true;
            release.TrySetResult();

            // Acknowledged by the replica while MessageService is down: it waits in the hand-off stream.
            await client.SendMessageAsync(room, "while down");

            await MessageServiceLifecycle.StartAsync(fixture);
            stopped = false;

            var first = await receiver.WaitForAsync(w => w.Data.GetProperty("seq").GetInt64() == 1, Timeout);
            var second = await receiver.WaitForAsync(w => w.Data.GetProperty("seq").GetInt64() == 2, Timeout);

            Assert.Equal(firstWebhookId, first.WebhookId);
            Assert.True(first.SignatureValid, first.VerificationError);
            Assert.True(second.SignatureValid, second.VerificationError);
            Assert.Equal("while down", second.Data.GetProperty("content").GetString());

            // In order: the second was first attempted after the first was delivered.
            var delivered = receiver.Received.Where(w => w.Answer == 200).Select(w => w.Data.GetProperty("seq").GetInt64()).ToList();
            Assert.Equal([1L, 2L], delivered.Distinct());
        }
        finally
        {
            release.TrySetResult();
            if (stopped)
            {
                await MessageServiceLifecycle.StartAsync(fixture);
            }
        }
    }
}
