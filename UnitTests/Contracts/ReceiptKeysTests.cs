using RealtimeAspire.Contracts;

namespace RealtimeAspire.Tests.Contracts;

/// <summary>Pins MessageService's receipt throttle keys: in the room's slot, one pair per user and room.</summary>
public sealed class ReceiptKeysTests
{
    [Fact]
    public void The_receipt_keys_of_a_user_in_a_room_are_these_strings()
    {
        Assert.Equal("{rt:p11}:receipt:general|u-1", RedisSchema.ReceiptWindow("general", "u-1"));
        Assert.Equal("{rt:p11}:receipt-held:general|u-1", RedisSchema.ReceiptHeldBack("general", "u-1"));
    }
}
