using System.Text;

namespace RealtimeAspire.Contracts;

/// <summary>
/// Every Redis key and channel of RealtimeAspire (docs/architecture.md, "Redis data model"). Each names its owner, the
/// service that writes it, and who else may read it; a service touches no key this schema does not give it. Every key
/// of a room carries its partition's hash tag, so a message's atomic step runs in one slot of a Redis Cluster.
/// </summary>
public static class RedisSchema
{
    /// <summary>How many partitions, and so hand-off streams, the rooms are spread over.</summary>
    public const int Partitions = 16;

    /// <summary>The consumer group in which MessageService reads the hand-off streams.</summary>
    public const string HandoffConsumerGroup = "message-service";

    /// <summary>The field of a recent or hand-off stream entry that holds the <c>message</c> frame JSON.</summary>
    public const string FrameField = "m";

    /// <summary>The field of a hand-off stream entry that holds the W3C <c>traceparent</c> (may be empty).</summary>
    public const string TraceParentField = "tp";

    /// <summary>
    /// Cluster-wide orders (<c>kick</c>, <c>close</c>): published by MessageService and ConnectionService, subscribed by
    /// every ConnectionService replica.
    /// </summary>
    public const string ControlChannel = "rt:control";

    /// <summary>FNV-1a-32 of the room id's UTF-8 bytes, modulo <see cref="Partitions"/>.</summary>
    public static int Partition(string room)
    {
        const uint offsetBasis = 2166136261;
        const uint prime = 16777619;
        var hash = offsetBasis;
        foreach (var b in Encoding.UTF8.GetBytes(room))
        {
            hash = unchecked((hash ^ b) * prime);
        }

        return (int)(hash % Partitions);
    }

    /// <summary>The room's last seq. Owner: ConnectionService (its message script); no other reader.</summary>
    public static string Seq(string room) => $"{Tag(room)}:seq:{room}";

    /// <summary>
    /// The room's recent messages, a capped stream with entry ids <c>&lt;seq&gt;-1</c>. Owner: ConnectionService (its
    /// message script); MessageService reads it for history's not yet stored messages.
    /// </summary>
    public static string Recent(string room) => $"{Tag(room)}:recent:{room}";

    /// <summary>
    /// The partition's hand-off stream. Owner: ConnectionService appends (its message script); MessageService reads it in
    /// <see cref="HandoffConsumerGroup"/>, acknowledges and deletes what it stored, and reads it for history.
    /// </summary>
    public static string Handoff(int partition) => $"{Tag(partition)}:handoff";

    /// <summary>
    /// The seqs of the room's handed-off messages not yet stored (sorted set, score = member = seq). Owner:
    /// ConnectionService adds (its message script); MessageService reads it for history and removes what it stored.
    /// </summary>
    public static string Unstored(string room) => $"{Tag(room)}:unstored:{room}";

    /// <summary>
    /// The partition's presence transitions for webhooks (<c>user.online</c>, <c>user.offline</c>, <c>room.occupied</c>,
    /// <c>room.vacated</c>), entries of <see cref="WebhookEventFields"/>. A room's transitions go to its partition's stream,
    /// a user's to the stream of <see cref="Partition"/> of the user id. Owner: ConnectionService appends (in the script
    /// that decides the transition); MessageService reads it in <see cref="HandoffConsumerGroup"/>, writes the events into
    /// its outbox, then acknowledges and deletes them.
    /// </summary>
    public static string WebhookHandoff(int partition) => $"{Tag(partition)}:webhook-handoff";

    /// <summary>
    /// A user's live connections on every replica for <c>user.online</c>/<c>user.offline</c>, scored by lease expiry, in the
    /// slot of the user's <see cref="WebhookHandoff"/> stream so one script decides and records the transition. Owner:
    /// ConnectionService only.
    /// </summary>
    public static string UserOnline(string userId) => $"{Tag(userId)}:online:{userId}";

    /// <summary>The fields of a <see cref="WebhookHandoff"/> entry.</summary>
    public static class WebhookEventFields
    {
        /// <summary>The event type (<c>WebhookEventTypes</c>).</summary>
        public const string Type = "t";

        /// <summary>The room id; empty for a user event.</summary>
        public const string Room = "r";

        /// <summary>The user who came or went; empty when a room was vacated by its last users' leases running out.</summary>
        public const string UserId = "u";

        /// <summary>That user's name, or empty with it.</summary>
        public const string Username = "n";

        /// <summary>When it happened, Unix milliseconds.</summary>
        public const string Timestamp = "ts";
    }

    /// <summary>
    /// The ack of a message sent with a client id, for an idempotent resend. Owner: ConnectionService only. The room is
    /// part of the key (not only its partition's tag), so one client id used in two rooms is two messages ('|' is in no
    /// room id).
    /// </summary>
    public static string Dedup(string room, string userId, string clientId) => $"{Tag(room)}:dedup:{room}|{userId}:{clientId}";

    /// <summary>
    /// Who is in the room: a hash of <c>userId</c> to <see cref="PresenceEntry"/> JSON. Owner: ConnectionService;
    /// MessageService reads it for its presence API.
    /// </summary>
    public static string Presence(string room) => $"{Tag(room)}:presence:{room}";

    /// <summary>One user's connections in one room. Owner: ConnectionService only ('|' cannot occur in a room id).</summary>
    public static string PresenceConnections(string room, string userId) => $"{Tag(room)}:presence-conns:{room}|{userId}";

    /// <summary>A user's live connections on every replica, scored by lease expiry. Owner: ConnectionService only.</summary>
    public static string UserConnections(string userId) => $"{UserTag(userId)}:conns";

    /// <summary>A user's messages in the rate-limit window. Owner: ConnectionService only.</summary>
    public static string UserRate(string userId) => $"{UserTag(userId)}:rate";

    /// <summary>Failed logins of one account in the throttle's window. Owner: AuthService only.</summary>
    public static string LoginFailuresOfAccount(string username) => $"rt:auth:login:account:{username}";

    /// <summary>Failed logins from one client address in the throttle's window. Owner: AuthService only.</summary>
    public static string LoginFailuresOfAddress(string address) => $"rt:auth:login:address:{address}";

    /// <summary>
    /// Subjects whose access tokens are refused before they expire: a hash of <c>sub</c> (a blocked user's id, a revoked
    /// client's <c>client:&lt;id&gt;</c>) to when the refusal ends, in Unix milliseconds (<c>0</c>: never). Owner:
    /// AuthService; shared: every service's JWT path (ServiceDefaults' RevokedSubjects) reads it.
    /// </summary>
    public const string RevokedSubjects = "rt:auth:revoked";

    /// <summary>
    /// A change of <see cref="RevokedSubjects"/>; the payload is the subject. Owner: AuthService publishes; shared: every
    /// service's JWT path subscribes and re-reads that subject's field.
    /// </summary>
    public const string RevokedSubjectsChannel = "rt:auth:revoked:changes";

    /// <summary>
    /// Every live event of a room. Owner: ConnectionService (publishes and subscribes); MessageService also publishes the
    /// room's <c>receipt</c> frames. It carries the room's hash tag: on a Redis Cluster it is a sharded channel in the
    /// slot of the room's keys, published by the room's scripts.
    /// </summary>
    public static string RoomChannel(string room) => $"{Tag(room)}:room:{room}";

    /// <summary>
    /// Events and orders for one user wherever connected. Owner: ConnectionService (publishes and subscribes);
    /// MessageService also publishes the user's <c>read</c> frames.
    /// </summary>
    public static string UserChannel(string userId) => $"rt:user:{userId}";

    /// <summary>
    /// The open receipt window of one user in one room (value: the seq sent, TTL: the window). Owner: MessageService
    /// only ('|' cannot occur in a room id).
    /// </summary>
    public static string ReceiptWindow(string room, string userId) => $"{Tag(room)}:receipt:{room}|{userId}";

    /// <summary>The highest read position held back while <see cref="ReceiptWindow"/> is open. Owner: MessageService only.</summary>
    public static string ReceiptHeldBack(string room, string userId) => $"{Tag(room)}:receipt-held:{room}|{userId}";

    private static string Tag(string room) => Tag(Partition(room));

    private static string Tag(int partition) => $"{{rt:p{partition}}}";

    private static string UserTag(string userId) => $"{{rt:u:{userId}}}";
}
