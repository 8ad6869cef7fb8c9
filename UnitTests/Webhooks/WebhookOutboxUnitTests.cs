using System.Text.Json;
using RealtimeAspire.Contracts;
using RealtimeAspire.MessageService.Webhooks;
using StackExchange.Redis;

namespace RealtimeAspire.Tests.Webhooks;

/// <summary>What the outbox stores and the worker's backoff, without a database.</summary>
public sealed class WebhookOutboxUnitTests
{
    [Fact]
    public void The_body_is_type_timestamp_and_data_in_web_json()
    {
        var at = new DateTimeOffset(2026, 12, 2, 17, 0, 0, TimeSpan.Zero);
        var body = JsonDocument.Parse(WebhookOutbox.Body(WebhookEventTypes.UserOnline, at, new WebhookEventData.User("u1", "ann"))).RootElement;

        Assert.Equal(["type", "timestamp", "data"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal("user.online", body.GetProperty("type").GetString());
        Assert.Equal(at, body.GetProperty("timestamp").GetDateTimeOffset());
        Assert.Equal("ann", body.GetProperty("data").GetProperty("username").GetString());
    }

    [Fact]
    public void Retries_back_off_doubling_up_to_the_maximum()
    {
        var options = new WebhookOptions { FirstRetryDelay = TimeSpan.FromSeconds(5), MaxRetryDelay = TimeSpan.FromHours(1) };

        Assert.Equal(TimeSpan.FromSeconds(5), WebhookRetry.Delay(1, options));
        Assert.Equal(TimeSpan.FromSeconds(10), WebhookRetry.Delay(2, options));
        Assert.Equal(TimeSpan.FromSeconds(40), WebhookRetry.Delay(4, options));
        Assert.Equal(TimeSpan.FromHours(1), WebhookRetry.Delay(20, options));
        Assert.Equal(TimeSpan.FromHours(1), WebhookRetry.Delay(int.MaxValue, options));
    }

    [Fact]
    public void The_default_schedule_keeps_retrying_for_at_least_a_day()
    {
        var options = new WebhookOptions();
        Assert.True(options.RetryWindow >= TimeSpan.FromHours(24));
        Assert.True(options.LeaseTime > options.AttemptTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), options.AttemptTimeout);
    }

    [Fact]
    public void A_presence_transition_becomes_one_event_whose_id_comes_from_its_entry()
    {
        var entry = new StreamEntry("1733150000000-0",
        [
            new(RedisSchema.WebhookEventFields.Type, WebhookEventTypes.RoomOccupied),
            new(RedisSchema.WebhookEventFields.Room, "lobby"),
            new(RedisSchema.WebhookEventFields.UserId, "u1"),
            new(RedisSchema.WebhookEventFields.Username, "ann"),
            new(RedisSchema.WebhookEventFields.Timestamp, "1733150000000"),
        ]);

        var first = PresenceWebhookConsumer.ToEvent(3, entry);
        var again = PresenceWebhookConsumer.ToEvent(3, entry);
        var otherPartition = PresenceWebhookConsumer.ToEvent(4, entry);

        Assert.NotNull(first);
        Assert.Equal(first.Id, again!.Id);
        Assert.NotEqual(first.Id, otherPartition!.Id);
        Assert.Equal("lobby", first.Room);
        Assert.Equal("lobby", first.OrderKey);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1733150000000), first.Timestamp);
    }

    [Fact]
    public void A_user_transition_has_no_room_and_is_ordered_per_user()
    {
        var entry = new StreamEntry("1-0",
        [
            new(RedisSchema.WebhookEventFields.Type, WebhookEventTypes.UserOffline),
            new(RedisSchema.WebhookEventFields.Room, ""),
            new(RedisSchema.WebhookEventFields.UserId, "u1"),
            new(RedisSchema.WebhookEventFields.Username, "ann"),
            new(RedisSchema.WebhookEventFields.Timestamp, "5"),
        ]);

        var offline = PresenceWebhookConsumer.ToEvent(0, entry)!;
        Assert.Null(offline.Room);
        Assert.Equal("user:u1", offline.OrderKey);
        Assert.Null(PresenceWebhookConsumer.ToEvent(0, new StreamEntry("2-0", [new(RedisSchema.WebhookEventFields.Type, "bogus")])));
    }

    [Fact]
    public void A_webhook_id_is_msg_and_the_event_id()
    {
        var id = Guid.Parse("0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
        Assert.Equal("msg_0193a1b2c3d47e5f8a9b0c1d2e3f4a5b", WebhookHeaders.Id(id));
        Assert.StartsWith("whsec_", WebhooksApi.NewSecret());
        Assert.Equal(24, Convert.FromBase64String(WebhooksApi.NewSecret()["whsec_".Length..]).Length);
    }
}
