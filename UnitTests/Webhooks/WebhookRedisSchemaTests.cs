using RealtimeAspire.Contracts;

namespace RealtimeAspire.Tests.Webhooks;

/// <summary>The webhook keys of the Redis schema, pinned like the others (docs/architecture.md).</summary>
public sealed class WebhookRedisSchemaTests
{
    [Fact]
    public void The_webhook_hand_off_and_online_keys_are_these_strings()
    {
        Assert.Equal("{rt:p11}:webhook-handoff", RedisSchema.WebhookHandoff(11));
        var partition = RedisSchema.Partition("u-1");
        Assert.Equal($"{{rt:p{partition}}}:online:u-1", RedisSchema.UserOnline("u-1"));

        // A user's online set and the stream its transitions go to share one slot.
        Assert.StartsWith($"{{rt:p{partition}}}", RedisSchema.WebhookHandoff(partition));
        Assert.Equal(RedisSchema.WebhookHandoff(RedisSchema.Partition("general")), (string)ConnectionService.Redis.RedisKeys.WebhookHandoff("general")!);
    }
}
