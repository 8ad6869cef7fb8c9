using System.Text.RegularExpressions;
using System.Threading.Channels;
using RealtimeAspire.ConnectionService.Connections;
using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.ConnectionService.Redis;
using RealtimeAspire.Contracts.Frames;
using RealtimeAspire.ConnectionService.Upstream;
using StackExchange.Redis;

namespace RealtimeAspire.ConnectionService.Messages;

/// <summary>
/// Sends a <c>notification</c> to each user named as <c>@username</c> in a message, if that user may read the
/// room. Runs after the ack, off the sender's path, through a bounded queue (mentions past it are dropped).
/// </summary>
public sealed partial class MentionNotifier : BackgroundService
{
    private readonly Channel<Mention> _queue = Channel.CreateBounded<Mention>(
        new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });

    private readonly UserDirectory _users;
    private readonly MessageServiceClient _messageService;
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisTopology _topology;
    private readonly RealtimeOptions _options;
    private readonly ILogger<MentionNotifier> _logger;

    public MentionNotifier(UserDirectory users, MessageServiceClient messageService, IConnectionMultiplexer redis, RedisTopology topology,
        RealtimeOptions options, ILogger<MentionNotifier> logger)
    {
        (_users, _messageService, _redis, _topology, _options, _logger) = (users, messageService, redis, topology, options, logger);
    }

    /// <summary>The distinct usernames a text mentions, lower-cased, in order of appearance.</summary>
    public static IReadOnlyList<string> FindMentions(string content, int max) =>
        [.. MentionPattern().Matches(content).Select(match => match.Groups[1].Value.ToLowerInvariant()).Distinct().Take(max)];

    public void Notify(string room, ConnectionUser sender, string content, byte[] messageFrame) =>
        Notify(room, sender.Username, content, messageFrame);

    /// <summary>Queues the notifications of a message sent as <paramref name="senderUsername"/> (a user, or a server-API client).</summary>
    public void Notify(string room, string senderUsername, string content, byte[] messageFrame)
    {
        if (content.Contains('@'))
        {
            _queue.Writer.TryWrite(new Mention(room, senderUsername, content, messageFrame));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var mention in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            foreach (var username in FindMentions(mention.Content, _options.MaxMentionsPerMessage))
            {
                if (username == mention.SenderUsername)
                {
                    continue;
                }

                try
                {
                    await NotifyAsync(mention, username, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogNotifyFailed(_logger, e, mention.Room);
                }
            }
        }
    }

    private async Task NotifyAsync(Mention mention, string username, CancellationToken cancellationToken)
    {
        var userId = await _users.FindUserIdAsync(username, cancellationToken);
        if (userId is null || !await _messageService.CanReadAsync(mention.Room, userId, cancellationToken))
        {
            return;
        }

        var notification = Frames.MentionNotification(mention.MessageFrame);
        await _redis.GetSubscriber().PublishAsync(_topology.UserChannel(userId), Envelope.Encode(null, notification));
    }

    [GeneratedRegex(@"(?<![A-Za-z0-9_])@([A-Za-z0-9_]{3,32})(?![A-Za-z0-9_])", RegexOptions.CultureInvariant)]
    private static partial Regex MentionPattern();

    [LoggerMessage(LogLevel.Warning, "A mention notification in room {Room} could not be sent")]
    private static partial void LogNotifyFailed(ILogger logger, Exception exception, string room);

    private sealed record Mention(string Room, string SenderUsername, string Content, byte[] MessageFrame);
}
