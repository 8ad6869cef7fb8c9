using RealtimeAspire.ConnectionService.Redis;
using RealtimeAspire.ConnectionService.Upstream;

namespace RealtimeAspire.ConnectionService.Rooms;

/// <summary>The messages a rejoining client missed, complete or not at all.</summary>
public sealed record Replay(IReadOnlyList<byte[]> Frames, bool Recovered)
{
    public static readonly Replay Nothing = new([], true);

    public static readonly Replay Incomplete = new([], false);
}

/// <summary>
/// Collects every message of a room with since &lt; seq &lt;= upTo: from the room's recent stream in Redis, and from
/// MessageService's history for what the stream no longer holds. Anything short of the whole range is
/// <see cref="Replay.Incomplete"/>: a partial replay never claims success.
/// </summary>
public sealed class MessageReplay(MessageAppender store, MessageServiceClient messageService, RealtimeOptions options, ILogger<MessageReplay> logger)
{
    public async Task<Replay> LoadAsync(string room, long since, long upTo, string accessToken, CancellationToken cancellationToken)
    {
        if (since >= upTo)
        {
            return Replay.Nothing;
        }

        if (upTo - since > options.MaxReplayMessages)
        {
            return Replay.Incomplete;
        }

        var recent = await store.ReadRecentAsync(room, since + 1, upTo);
        var frames = new List<byte[]>((int)(upTo - since));
        var next = since + 1;

        // Older than the recent stream (or a hole in it): page through the stored history first.
        if (recent.Count == 0 || recent[0].Seq != next || !IsContiguous(recent))
        {
            var stopAt = recent.Count > 0 && IsContiguous(recent) ? recent[0].Seq : upTo + 1;
            while (next < stopAt)
            {
                var page = await messageService.GetHistoryAfterAsync(room, next - 1, accessToken, cancellationToken);
                if (page is null || page.Count == 0)
                {
                    break;
                }

                var progressed = false;
                foreach (var (seq, frame) in page)
                {
                    if (seq == next && seq < stopAt)
                    {
                        frames.Add(frame);
                        next++;
                        progressed = true;
                    }
                }

                if (!progressed)
                {
                    break;
                }
            }
        }

        foreach (var (seq, frame) in recent)
        {
            if (seq == next)
            {
                frames.Add(frame);
                next++;
            }
        }

        if (next != upTo + 1)
        {
            logger.LogInformation("Replay of room {Room} after {Since} stopped at {Next} of {UpTo}: not recovered", room, since, next - 1, upTo);
            return Replay.Incomplete;
        }

        return new Replay(frames, true);
    }

    private static bool IsContiguous(IReadOnlyList<(long Seq, byte[] Frame)> messages)
    {
        for (var i = 1; i < messages.Count; i++)
        {
            if (messages[i].Seq != messages[i - 1].Seq + 1)
            {
                return false;
            }
        }

        return true;
    }
}
