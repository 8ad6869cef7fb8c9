using System.Text;

namespace RealtimeAspire.MessageService;

/// <summary>
/// The Redis keys shared with ConnectionService (docs/architecture.md): every key of a room carries the
/// hash tag of its partition, FNV-1a-32 of the room id mod 16.
/// </summary>
public static class RedisKeys
{
    public const int PartitionCount = 16;

    public const string HandoffConsumerGroup = "message-service";

    public const string ControlChannel = "rt:control";

    public static int Partition(string room)
    {
        const uint offsetBasis = 2166136261;
        const uint prime = 16777619;

        var hash = offsetBasis;
        foreach (var b in Encoding.UTF8.GetBytes(room))
        {
            hash = unchecked((hash ^ b) * prime);
        }

        return (int)(hash % PartitionCount);
    }

    public static string Handoff(int partition) => $"{{rt:p{partition}}}:handoff";

    public static string Seq(string room) => $"{PartitionTag(room)}:seq:{room}";

    public static string Recent(string room) => $"{PartitionTag(room)}:recent:{room}";

    public static string Unstored(string room) => $"{PartitionTag(room)}:unstored:{room}";

    public static string Presence(string room) => $"{PartitionTag(room)}:presence:{room}";

    private static string PartitionTag(string room) => $"{{rt:p{Partition(room)}}}";
}
