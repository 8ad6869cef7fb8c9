using System.Collections;

namespace RealtimeAspire.ConnectionService.Connections;

/// <summary>The log scope of everything a connection does: its id, its replica, and its user once known.</summary>
public sealed class ConnectionLogScope(RealtimeConnection connection, string replicaId) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 3;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("ConnectionId", connection.Id),
        1 => new("ReplicaId", replicaId),
        2 => new("UserId", connection.User?.UserId),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"Connection {connection.Id} on {replicaId}, user {connection.User?.UserId ?? "-"}";
}
