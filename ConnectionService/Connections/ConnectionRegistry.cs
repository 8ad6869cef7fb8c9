using System.Collections.Concurrent;
using RealtimeAspire.ConnectionService.Redis;
using RealtimeAspire.ConnectionService.Rooms;
using StackExchange.Redis;

namespace RealtimeAspire.ConnectionService.Connections;

/// <summary>
/// The connections on this replica, by id and by user. A user with local connections has one subscription to
/// rt:user:&lt;userId&gt;, whose events (mention notifications) go to each of them.
/// </summary>
public sealed partial class ConnectionRegistry(IConnectionMultiplexer redis, RedisTopology topology, ILogger<ConnectionRegistry> logger)
{
    private readonly ConcurrentDictionary<string, RealtimeConnection> _connections = new(StringComparer.Ordinal);
    private readonly Lock _usersSync = new();
    private readonly Dictionary<string, LocalUser> _users = new(StringComparer.Ordinal);

    public int Count => _connections.Count;

    public ICollection<RealtimeConnection> All => _connections.Values;

    public void Add(RealtimeConnection connection) => _connections[connection.Id] = connection;

    public void Remove(RealtimeConnection connection) => _connections.TryRemove(connection.Id, out _);

    public RealtimeConnection? Find(string connectionId) => _connections.GetValueOrDefault(connectionId);

    public RealtimeConnection[] OfUser(string userId)
    {
        lock (_usersSync)
        {
            return _users.TryGetValue(userId, out var user) ? user.Connections : [];
        }
    }

    /// <summary>Counts an authenticated connection for its user; returns once the user's channel is subscribed.</summary>
    public Task AddUserConnectionAsync(string userId, RealtimeConnection connection)
    {
        LocalUser user;
        lock (_usersSync)
        {
            if (!_users.TryGetValue(userId, out user!))
            {
                user = new LocalUser(userId);
                _users[userId] = user;
                user.Subscribed = SubscribeAsync(user);
            }

            user.Connections = [.. user.Connections, connection];
        }

        return user.Subscribed;
    }

    public void RemoveUserConnection(string userId, RealtimeConnection connection)
    {
        LocalUser? emptied = null;
        lock (_usersSync)
        {
            if (!_users.TryGetValue(userId, out var user))
            {
                return;
            }

            user.Connections = Array.FindAll(user.Connections, candidate => candidate != connection);
            if (user.Connections.Length == 0)
            {
                _users.Remove(userId);
                emptied = user;
            }
        }

        if (emptied is not null)
        {
            _ = UnsubscribeAsync(emptied);
        }
    }

    private async Task SubscribeAsync(LocalUser user)
    {
        var queue = await redis.GetSubscriber().SubscribeAsync(topology.UserChannel(user.UserId));
        user.Queue = queue;
        queue.OnMessage(message =>
        {
            var frame = RoomEvent.Parse((byte[])message.Message!).Frame;
            foreach (var connection in user.Connections)
            {
                connection.TrySend(frame);
            }
        });
    }

    private async Task UnsubscribeAsync(LocalUser user)
    {
        try
        {
            await user.UnsubscribeAsync();
        }
        catch (Exception e)
        {
            LogUnsubscribeFailed(logger, e);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Unsubscribing from a user channel failed")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Exception exception);

    private sealed class LocalUser(string userId) : ChannelSubscription
    {
        public string UserId { get; } = userId;

        public volatile RealtimeConnection[] Connections = [];
    }
}
