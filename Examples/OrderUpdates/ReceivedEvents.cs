using System.Collections.Concurrent;
using RealtimeAspire.Server;

namespace OrderUpdates;

/// <summary>The webhook deliveries received, once per <c>webhook-id</c> (a retry of a delivered event is dropped).</summary>
public sealed class ReceivedEvents
{
    private readonly ConcurrentDictionary<string, RealtimeWebhookEvent> _byId = new();

    public IReadOnlyList<RealtimeWebhookEvent> All => _byId.Values.OrderBy(e => e.Timestamp).ToList();

    public void Add(RealtimeWebhookEvent delivery) => _byId.TryAdd(delivery.Id, delivery);
}
