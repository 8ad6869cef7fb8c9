using RealtimeAspire.Contracts;

namespace RealtimeAspire.ConnectionService.Redis;

/// <summary>
/// The Lua scripts of ConnectionService. Each runs atomically and touches keys of one hash tag only, except
/// <see cref="AppendMessage"/>, which also counts the message in the user's rate window (one round trip per message).
/// </summary>
public static class RedisScripts
{
    /// <summary>
    /// A message's whole hand-off, the user's rate limit included, in one round trip. KEYS: seq, recent, handoff,
    /// unstored, the user's rate window[, dedup]. ARGV: frame prefix, frame suffix, recent MAXLEN, room channel, traceparent,
    /// ack prefix, dedup TTL ms, now ms, rate window ms, rate limit, unique rate member, ack suffix, publish command (both frames split
    /// around seq by FrameCodec.SpliceAroundSeq)[, the deleted message's id as JSON, its seq: a delete's scrub, see
    /// <see cref="HandOff"/>]. Returns {'dup', ack} for a
    /// resent client id (answered before the rate limit and not counted), {'limited', ms} when the user is over the
    /// limit, {'noseq'} when the room's counter is unknown (re-seed first; nothing was counted), else {'ok', seq, ack}.
    /// The rate key is in the user's slot, not the room's: on a Redis Cluster the hand-off is
    /// <see cref="AppendMessageInRoomSlot"/>, after <see cref="ConsumeRate"/>.
    /// </summary>
    public const string AppendMessage = RateWindow + """
        local dedup = KEYS[6]
        local previous = dedup and redis.call('GET', dedup)
        if previous then return {'dup', previous} end
        local now = tonumber(ARGV[8])
        local window = tonumber(ARGV[9])
        local wait = rate_wait(KEYS[5], now, window, tonumber(ARGV[10]))
        if wait > 0 then return {'limited', wait} end
        if redis.call('EXISTS', KEYS[1]) == 0 then return {'noseq'} end
        rate_count(KEYS[5], now, window, ARGV[11])

        """ + HandOff;

    /// <summary>
    /// The hand-off alone, every key in the room's slot (for a Redis Cluster; the rate limit was checked before,
    /// after the resend check of <see cref="MessageAppender"/>).
    /// KEYS: seq, recent, handoff, unstored[, dedup]. ARGV and results as <see cref="AppendMessage"/>'s, without 'limited'.
    /// </summary>
    public const string AppendMessageInRoomSlot = """
        local dedup = KEYS[5]
        local previous = dedup and redis.call('GET', dedup)
        if previous then return {'dup', previous} end
        if redis.call('EXISTS', KEYS[1]) == 0 then return {'noseq'} end

        """ + HandOff;

    /// <summary>
    /// The common tail. A delete (ARGV[14], the message id as JSON, and ARGV[15], the message's seq) first takes the
    /// message and its edits out of the recent stream, so Redis keeps no content of it; their seqs become a hole that
    /// replay fills from history, where the message is a tombstone.
    /// </summary>
    private const string HandOff = """
        if ARGV[14] and ARGV[14] ~= '' then
          local needle = '"messageId":' .. ARGV[14]
          for _, entry in ipairs(redis.call('XRANGE', KEYS[2], ARGV[15] .. '-0', '+')) do
            local stored = entry[2][2]
            if stored and string.find(stored, needle, 1, true)
                and (string.find(stored, '{"type":"message",', 1, true) == 1 or string.find(stored, '{"type":"message_edited",', 1, true) == 1) then
              redis.call('XDEL', KEYS[2], entry[1])
            end
          end
        end
        local seq = redis.call('INCR', KEYS[1])
        local frame = ARGV[1] .. seq .. ARGV[2]
        -- A recent stream that is ahead of the counter must not stop the message: replay falls back to history.
        redis.pcall('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], seq .. '-1', 'm', frame)
        redis.call('XADD', KEYS[3], '*', 'm', frame, 'tp', ARGV[5])
        -- Until MessageService has stored it: history merges these seqs from the recent stream (docs/architecture.md).
        redis.call('ZADD', KEYS[4], seq, seq)
        redis.call(ARGV[13], ARGV[4], ARGV[5] .. '\n' .. frame)
        local ack = ARGV[6] .. seq .. ARGV[12]
        if dedup then redis.call('SET', dedup, ack, 'PX', ARGV[7]) end
        return {'ok', seq, ack}
        """;

    /// <summary>
    /// Sets a room's missing counter. KEYS: seq, recent. ARGV: last seq stored by MessageService. The recent stream
    /// may know a later seq than PostgreSQL (not stored yet); the larger one wins. Returns the room's seq.
    /// </summary>
    public const string SeedSeq = """
        local current = redis.call('GET', KEYS[1])
        if current then return tonumber(current) end
        local seq = tonumber(ARGV[1])
        local top = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
        if top[1] then
          local recent = tonumber(string.match(top[1][1], '^(%d+)-'))
          if recent and recent > seq then seq = recent end
        end
        redis.call('SET', KEYS[1], seq)
        return seq
        """;

    /// <summary>
    /// Counts a message against the user's sliding window. KEYS: rate. ARGV: now ms, window ms, limit, unique member.
    /// Returns 0 when allowed, else the milliseconds until the oldest counted message leaves the window.
    /// </summary>
    public const string ConsumeRate = RateWindow + """
        local now = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local wait = rate_wait(KEYS[1], now, window, tonumber(ARGV[3]))
        if wait > 0 then return wait end
        rate_count(KEYS[1], now, window, ARGV[4])
        return 0
        """;

    /// <summary>
    /// The sliding rate window, spliced into <see cref="AppendMessage"/> and <see cref="ConsumeRate"/> so both count
    /// alike: <c>rate_wait</c> drops what left the window and returns 0 when one more message fits, else the milliseconds
    /// until the oldest counted one leaves; <c>rate_count</c> counts one message as its unique member.
    /// </summary>
    private const string RateWindow = """
        local function rate_wait(key, now, window, limit)
          redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
          if redis.call('ZCARD', key) < limit then return 0 end
          local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
          return math.max(1, tonumber(oldest[2]) + window - now)
        end
        local function rate_count(key, now, window, member)
          redis.call('ZADD', key, now, member)
          redis.call('PEXPIRE', key, window)
        end

        """;

    /// <summary>
    /// Adds a connection to the user's live connections and evicts the oldest beyond the limit. KEYS: conns.
    /// ARGV: now ms, member ('&lt;connectedAt, 13 digits&gt;|&lt;connectionId&gt;'), lease expiry ms, limit, lease ms.
    /// Returns the evicted members, oldest first.
    /// </summary>
    public const string AddConnection = """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
        redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[5])
        local members = redis.call('ZRANGE', KEYS[1], 0, -1)
        local excess = #members - tonumber(ARGV[4])
        if excess <= 0 then return {} end
        table.sort(members)
        local evicted = {}
        for i = 1, excess do
          evicted[i] = members[i]
          redis.call('ZREM', KEYS[1], members[i])
        end
        return evicted
        """;

    /// <summary>
    /// A connection enters a room. KEYS: presence hash, the user's connections in the room, the room's webhook hand-off
    /// stream. ARGV: now ms, lease expiry ms, userId, connectionId, presence value JSON, room channel, user_joined payload,
    /// lease ms, publish command, room id, username. Publishes user_joined when it is the user's first live connection
    /// there (returns 1 then, else 0), and records room.occupied when the user is the room's first.
    /// </summary>
    public static readonly string JoinPresence = $$"""
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
        local present = redis.call('ZCARD', KEYS[2]) > 0
        redis.call('ZADD', KEYS[2], ARGV[2], ARGV[4])
        redis.call('PEXPIRE', KEYS[2], ARGV[8])
        local added = redis.call('HSET', KEYS[1], ARGV[3], ARGV[5])
        redis.call('PEXPIRE', KEYS[1], ARGV[8])
        if added == 1 and redis.call('HLEN', KEYS[1]) == 1 then
          {{WebhookHandoffScripts.Append("KEYS[3]", WebhookEventTypes.RoomOccupied, "ARGV[10]", "ARGV[3]", "ARGV[11]", "ARGV[1]")}}
        end
        if present then return 0 end
        redis.call(ARGV[9], ARGV[6], ARGV[7])
        return 1
        """;

    /// <summary>
    /// A connection leaves a room. KEYS: presence hash, the user's connections in the room, the room's webhook hand-off
    /// stream. ARGV: now ms, userId, connectionId, room channel, user_left payload, publish command, room id, username.
    /// Publishes user_left when no live connection of the user stays, and records room.occupied's end, room.vacated,
    /// when nobody stays.
    /// </summary>
    public static readonly string LeavePresence = $$"""
        redis.call('ZREM', KEYS[2], ARGV[3])
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
        if redis.call('ZCARD', KEYS[2]) > 0 then return 0 end
        redis.call('DEL', KEYS[2])
        if redis.call('HDEL', KEYS[1], ARGV[2]) == 0 then return 0 end
        redis.call(ARGV[6], ARGV[4], ARGV[5])
        if redis.call('HLEN', KEYS[1]) == 0 then
          {{WebhookHandoffScripts.Append("KEYS[3]", WebhookEventTypes.RoomVacated, "ARGV[7]", "ARGV[2]", "ARGV[8]", "ARGV[1]")}}
        end
        return 1
        """;

    /// <summary>
    /// Renews this replica's connections of one user in one room. KEYS: presence hash, the user's connections there.
    /// ARGV: lease expiry ms, userId, presence value JSON, lease ms, connectionId… Connections that have left are not
    /// brought back.
    /// </summary>
    public const string RefreshPresence = """
        local alive = 0
        for i = 5, #ARGV do
          if redis.call('ZSCORE', KEYS[2], ARGV[i]) then
            redis.call('ZADD', KEYS[2], ARGV[1], ARGV[i])
            alive = alive + 1
          end
        end
        if alive == 0 then return 0 end
        redis.call('PEXPIRE', KEYS[2], ARGV[4])
        redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        return alive
        """;

    /// <summary>
    /// Removes users whose presence nobody renewed (their replica died) and publishes user_left for each, and records
    /// room.vacated when nobody stays. KEYS: presence hash, the room's webhook hand-off stream. ARGV: now ms, room
    /// channel, room id, publish command. Returns how many were removed.
    /// </summary>
    public static readonly string ReapPresence = $$"""
        local now = tonumber(ARGV[1])
        local fields = redis.call('HGETALL', KEYS[1])
        local removed = 0
        for i = 1, #fields, 2 do
          local ok, entry = pcall(cjson.decode, fields[i + 1])
          if not ok or type(entry) ~= 'table' or (tonumber(entry.expiresAt) or 0) <= now then
            redis.call('HDEL', KEYS[1], fields[i])
            removed = removed + 1
            if ok and type(entry) == 'table' and type(entry.userId) == 'string' and type(entry.username) == 'string' then
              redis.call(ARGV[4], ARGV[2], '\n{"type":"user_left","room":' .. cjson.encode(ARGV[3]) ..
                ',"userId":' .. cjson.encode(entry.userId) .. ',"username":' .. cjson.encode(entry.username) .. '}')
            end
          end
        end
        if removed > 0 and redis.call('HLEN', KEYS[1]) == 0 then
          {{WebhookHandoffScripts.Append("KEYS[2]", WebhookEventTypes.RoomVacated, "ARGV[3]", "''", "''", "ARGV[1]")}}
        end
        return removed
        """;
}
