// RealtimeAspire browser client: accounts and tokens (/api/auth), the realtime.v1 WebSocket (/ws) with
// automatic reconnection, rejoin with `since`, de-duplication by `seq`, token refresh, heartbeat and an
// outbox for messages sent while offline. No dependencies; import it as an ES module.
//
//   const client = new RealtimeClient();
//   await client.login("alice", "correct horse");
//   client.addEventListener("message", e => console.log(e.detail));
//   client.connect();
//   await client.join("lobby");
//   await client.send("lobby", "hello @bob");
//   await client.sendMessage("lobby", { data: { kind: "poll", options: ["a", "b"] } });
//
// Events (CustomEvent, data in `detail`): state, welcome, joined, left, message, ack, user_joined, user_left,
// user_typing, presence, notification, error, session (signed in or out), read (this user's read position moved,
// on any of its devices), receipt (a member of a joined room read up to a seq).

import { ApiError, AuthSession, safeJson } from "./auth-session.js";

export { ApiError };

// Every frame type of the protocol (v1 and v2), as RealtimeAspire.Contracts.Frames.FrameTypes names them (a test compares the two).
export const FrameTypes = Object.freeze({
  auth: "auth",
  join: "join",
  leave: "leave",
  message: "message",
  typing: "typing",
  presence: "presence",
  ping: "ping",
  welcome: "welcome",
  authSuccess: "auth_success",
  authFailed: "auth_failed",
  joined: "joined",
  left: "left",
  ack: "ack",
  userJoined: "user_joined",
  userLeft: "user_left",
  userTyping: "user_typing",
  pong: "pong",
  notification: "notification",
  error: "error",
  edit: "edit",
  delete: "delete",
  react: "react",
  unreact: "unreact",
  read: "read",
  event: "event",
  messageEdited: "message_edited",
  messageDeleted: "message_deleted",
  reaction: "reaction",
  receipt: "receipt",
});

const protocolName = "realtime.v1";

export const ConnectionState = Object.freeze({
  offline: "offline",
  connecting: "connecting",
  live: "live",
  reconnecting: "reconnecting",
});

const defaults = {
  baseUrl: globalThis.location?.origin ?? "",
  storage: globalThis.sessionStorage,
  backoffBaseMs: 500,
  backoffCapMs: 15000,
  refreshLeadMs: 60000,
  heartbeatMs: 30000,
  maxOutbox: 200,
};

const stopCodes = new Set([1000, 4001]);

export class RealtimeClient extends EventTarget {
  #options;
  #auth;
  #socket = null;
  #opening = false;
  #state = ConnectionState.offline;
  #wanted = false; // connect() was called and nothing told us to stop
  #attempt = 0;
  #reconnectTimer = 0;
  #heartbeatTimer = 0;
  #heartbeatMs;
  #lastFrameAt = 0;
  #authenticated = false;
  #rooms = new Map(); // room -> { lastSeq, joined, waiters: [] }
  #outbox = new Map(); // id -> { type, room, content?, data?, messageId?, emoji?, id, resolve, reject }
  #pending = new Map(); // request key -> [{ resolve, reject }]

  constructor(options = {}) {
    super();
    this.#options = { ...defaults, ...options };
    this.#heartbeatMs = this.#options.heartbeatMs;
    this.#auth = new AuthSession(this.#options, {
      signedIn: () => this.#emit("session", this.user),
      refreshed: () => {
        // A fresh token extends the live connection's life.
        if (this.#authenticated) this.#sendFrame({ type: FrameTypes.auth, token: this.#auth.accessToken });
        this.#emit("session", this.user);
      },
      signedOut: () => this.#onSignedOut(),
    });
    globalThis.addEventListener?.("online", () => this.#reconnectNow());
  }

  get state() { return this.#state; }
  get user() { return this.#auth.user; }
  get rooms() { return [...this.#rooms.keys()]; }
  get queued() { return this.#outbox.size; }

  // ---- accounts and tokens -------------------------------------------------------------------------------

  register(username, password) { return this.#auth.register(username, password); }

  async login(username, password) {
    await this.#auth.login(username, password);
    return this.user;
  }

  /** Trades the refresh token for a new pair; a refused refresh signs out. */
  refresh() { return this.#auth.refresh(); }

  logout() { this.#auth.signOut(); }

  /** An authenticated JSON request to the HTTP API; refreshes the access token once on 401. */
  api(path, options) { return this.#auth.api(path, options); }

  // ---- connection ----------------------------------------------------------------------------------------

  connect() {
    if (!this.#auth.signedIn) throw new Error("Log in first");
    this.#wanted = true;
    this.#open();
  }

  disconnect() {
    this.#wanted = false;
    clearTimeout(this.#reconnectTimer);
    this.#dropSocket(1000, "client disconnect");
    this.#setState(ConnectionState.offline);
  }

  /** Joins (or rejoins) a room; resolves with the `joined` frame. */
  join(room) {
    const entry = this.#room(room);
    entry.wanted = true;
    const joined = this.#expect(`joined:${room}`);
    if (this.#authenticated) this.#sendJoin(room, entry);
    return joined;
  }

  /** Leaves a room; with `{ forget: true }` it also leaves the user's room list (on every device). */
  leave(room, { forget = false } = {}) {
    const entry = this.#rooms.get(room);
    if (!entry && !forget) return Promise.resolve();
    this.#rooms.delete(room);
    if (!this.#authenticated) {
      return forget ? Promise.reject(new Error("Not connected: forget needs the connection")) : Promise.resolve();
    }
    const left = this.#expect(`left:${room}`);
    this.#sendFrame(forget ? { type: FrameTypes.leave, room, forget: true } : { type: FrameTypes.leave, room });
    return left;
  }

  /**
   * Marks a joined room read up to `seq`. Positions only move forward; while offline the highest one waits and goes
   * out after the room is rejoined. Every device of the user gets the `read` event when the position moves.
   */
  read(room, seq) {
    const entry = this.#rooms.get(room);
    if (!entry) return;
    entry.pendingRead = Math.max(entry.pendingRead ?? 0, seq);
    if (entry.joined && this.#authenticated) this.#sendRead(room, entry);
  }

  /** The user's room list, most recent activity first: `[{room, visibility, lastSeq, lastMessage, readSeq, unread}]`. */
  async rooms() {
    return (await this.api("/api/rooms")).rooms;
  }

  /** The read positions of a room's users: `[{userId, username, seq}]`. */
  async reads(room) {
    return (await this.api(`/api/rooms/${encodeURIComponent(room)}/reads`)).reads;
  }

  /**
   * Sends a message; resolves with its `ack`. While offline it waits in the outbox and goes out, with the
   * same `id`, once the connection is back: the server answers a repeated `id` with the same ack.
   */
  send(room, content, id = crypto.randomUUID()) {
    return this.sendMessage(room, { content, id });
  }

  /**
   * Sends a message with `content`, structured `data` (a JSON object of at most 16 KiB) or both, like `send`;
   * receivers get `data` as sent. E.g. `client.sendMessage("prices", { data: { symbol: "ACME", price: 101.5 } })`.
   */
  sendMessage(room, { content, data, id = crypto.randomUUID() } = {}) {
    return this.#enqueue({ type: FrameTypes.message, room, content, data, id });
  }

  // A frame answered by an `ack` (message, edit, delete, react, unreact): kept in the outbox until acked, resent with its id.
  #enqueue(frame) {
    if (this.#outbox.size >= this.#options.maxOutbox) {
      return Promise.reject(new Error("Too many messages waiting to be sent"));
    }
    return new Promise((resolve, reject) => {
      const message = { ...frame, resolve, reject };
      this.#outbox.set(frame.id, message);
      this.#flush(message);
    });
  }

  /** Edits one's own message (new `content` and/or `data`); resolves with the `ack` (the event's `seq`). Queued offline like `send`. */
  edit(room, messageId, { content, data, id = crypto.randomUUID() } = {}) {
    return this.#enqueue({ type: FrameTypes.edit, room, messageId, content, data, id });
  }

  /** Deletes a message (one's own, or any as the room's owner); resolves with the `ack`. */
  delete(room, messageId, id = crypto.randomUUID()) {
    return this.#enqueue({ type: FrameTypes.delete, room, messageId, id });
  }

  /** Adds one's `emoji` to a message (once per emoji); resolves with the `ack`. */
  react(room, messageId, emoji, id = crypto.randomUUID()) {
    return this.#enqueue({ type: FrameTypes.react, room, messageId, emoji, id });
  }

  /** Takes one's `emoji` off a message; resolves with the `ack`. */
  unreact(room, messageId, emoji, id = crypto.randomUUID()) {
    return this.#enqueue({ type: FrameTypes.unreact, room, messageId, emoji, id });
  }

  typing(room) {
    if (this.#rooms.get(room)?.joined) this.#sendFrame({ type: FrameTypes.typing, room });
  }

  presence(room) {
    const answer = this.#expect(`presence:${room}`);
    this.#sendFrame({ type: FrameTypes.presence, room });
    return answer;
  }

  /** The last `seq` seen in a room (what a rejoin asks for with `since`). */
  lastSeq(room) { return this.#rooms.get(room)?.lastSeq; }

  // ---- internals ----------------------------------------------------------------------------------------

  #onSignedOut() {
    this.disconnect();
    for (const message of this.#outbox.values()) message.reject(new Error("Signed out"));
    this.#outbox.clear();
    this.#rooms.clear();
    this.#emit("session", null);
  }

  // ---- internals: WebSocket ------------------------------------------------------------------------------

  async #open() {
    if (this.#socket || this.#opening) return;
    this.#opening = true;
    this.#setState(this.#attempt === 0 && this.#state !== ConnectionState.reconnecting
      ? ConnectionState.connecting : ConnectionState.reconnecting);
    try {
      await this.#auth.ensureFresh();
    } catch {
      // Signed out (refresh refused) stops; a network failure tries again later.
      this.#opening = false;
      if (this.#auth.signedIn) this.#scheduleReconnect(); else this.disconnect();
      return;
    }
    this.#opening = false;
    if (!this.#wanted || this.#socket) return;

    const url = new URL("/ws", this.#options.baseUrl);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("access_token", this.#auth.accessToken);
    const socket = new WebSocket(url, protocolName);
    this.#socket = socket;
    this.#authenticated = false;
    this.#lastFrameAt = Date.now();
    socket.onmessage = event => this.#onFrame(socket, event.data);
    socket.onclose = event => this.#onClose(socket, event.code);
  }

  #onFrame(socket, data) {
    if (socket !== this.#socket) return;
    this.#lastFrameAt = Date.now();
    const frame = safeJson(data);
    if (!frame?.type) return;

    switch (frame.type) {
      case FrameTypes.welcome:
        this.#heartbeatMs = frame.heartbeatIntervalMs || this.#options.heartbeatMs;
        this.#startHeartbeat(socket);
        this.#emit("welcome", frame);
        break;
      case FrameTypes.authSuccess:
        // Sent again after a token refresh on a live connection: nothing to redo then.
        if (!this.#authenticated) this.#onAuthenticated();
        break;
      case FrameTypes.authFailed:
        // The server closes with 4401 next; #onClose refreshes the token and reconnects.
        break;
      case FrameTypes.joined: {
        const entry = this.#room(frame.room);
        entry.joined = true;
        // A first join starts counting at the room's latest seq; a rejoin keeps its own to ask `since`.
        entry.lastSeq ??= frame.seq;
        if (frame.recovered === false && entry.since !== undefined) this.#backfill(frame.room, entry.since, frame.seq);
        this.#settle(`joined:${frame.room}`, frame);
        this.#emit("joined", frame);
        for (const message of this.#outbox.values()) if (message.room === frame.room) this.#flush(message);
        if (entry.pendingRead !== undefined) this.#sendRead(frame.room, entry);
        break;
      }
      case FrameTypes.left:
        this.#settle(`left:${frame.room}`, frame);
        this.#emit("left", frame);
        break;
      case FrameTypes.message:
      case FrameTypes.messageEdited:
      case FrameTypes.messageDeleted:
      case FrameTypes.reaction: {
        // Events about messages share the room's seq: a rejoin asks `since` the last one of either kind.
        const entry = this.#rooms.get(frame.room);
        if (entry && entry.lastSeq !== undefined && frame.seq <= entry.lastSeq) return; // seen already
        if (entry) entry.lastSeq = frame.seq;
        this.#emit(frame.type, frame);
        break;
      }
      case FrameTypes.ack: {
        const message = this.#outbox.get(frame.id);
        this.#outbox.delete(frame.id);
        message?.resolve(frame);
        this.#emit("ack", frame);
        break;
      }
      case FrameTypes.presence:
        this.#settle(`presence:${frame.room}`, frame);
        this.#emit("presence", frame);
        break;
      case FrameTypes.error:
        this.#onError(frame);
        break;
      case FrameTypes.pong:
        break;
      default:
        this.#emit(frame.type, frame);
    }
  }

  #onAuthenticated() {
    this.#authenticated = true;
    this.#attempt = 0;
    this.#setState(ConnectionState.live);
    for (const [room, entry] of this.#rooms) {
      entry.joined = false;
      if (entry.wanted) this.#sendJoin(room, entry);
    }
  }

  #onError(frame) {
    const message = frame.id ? this.#outbox.get(frame.id) : undefined;
    if (message && frame.code === "rate_limited") {
      setTimeout(() => this.#flush(message), frame.retryAfterMs ?? 1000);
    } else if (message && frame.code !== "not_joined") {
      this.#outbox.delete(frame.id);
      message.reject(Object.assign(new Error(frame.message || frame.code), { code: frame.code }));
    } else if (frame.code === "forbidden" || frame.code === "invalid_room") {
      // A join that failed: the room is not ours to read.
      for (const [room, entry] of this.#rooms) {
        if (!entry.joined && this.#pending.has(`joined:${room}`)) {
          this.#rooms.delete(room);
          this.#settle(`joined:${room}`, null, Object.assign(new Error(frame.message || frame.code), { code: frame.code }));
        }
      }
    }
    this.#emit("error", frame);
  }

  #onClose(socket, code) {
    if (socket !== this.#socket) return;
    this.#socket = null;
    this.#authenticated = false;
    clearInterval(this.#heartbeatTimer);
    for (const entry of this.#rooms.values()) entry.joined = false;

    if (!this.#wanted || stopCodes.has(code)) {
      this.#wanted = false;
      this.#setState(ConnectionState.offline);
      this.#emit("closed", { code });
      return;
    }
    if (code === 4401) {
      this.#setState(ConnectionState.reconnecting);
      this.refresh().then(() => this.#reconnectNow(), () => this.#auth.signedIn ? this.#scheduleReconnect() : this.disconnect());
      return;
    }
    if (code === 1001) {
      // The replica is draining: another one is ready at once.
      this.#reconnectNow();
      return;
    }
    this.#scheduleReconnect();
  }

  #scheduleReconnect() {
    this.#setState(navigator.onLine === false ? ConnectionState.offline : ConnectionState.reconnecting);
    clearTimeout(this.#reconnectTimer);
    // Exponential backoff with full jitter, capped.
    const ceiling = Math.min(this.#options.backoffCapMs, this.#options.backoffBaseMs * 2 ** this.#attempt);
    this.#attempt++;
    this.#reconnectTimer = setTimeout(() => this.#open(), Math.random() * ceiling);
  }

  #reconnectNow() {
    if (!this.#wanted || this.#socket || this.#opening) return;
    clearTimeout(this.#reconnectTimer);
    this.#attempt++;
    this.#open();
  }

  #startHeartbeat(socket) {
    clearInterval(this.#heartbeatTimer);
    this.#heartbeatTimer = setInterval(() => {
      if (Date.now() - this.#lastFrameAt > 2 * this.#heartbeatMs) {
        // Nothing heard for two intervals: the connection is dead even if the browser has not noticed.
        this.#dropSocket(4000, "heartbeat timeout");
        this.#onClose(socket, 4000);
        return;
      }
      this.#sendFrame({ type: FrameTypes.ping });
    }, this.#heartbeatMs);
  }

  #dropSocket(code, reason) {
    const socket = this.#socket;
    if (!socket) return;
    clearInterval(this.#heartbeatTimer);
    socket.onmessage = null;
    try { socket.close(code, reason); } catch { /* already closing */ }
    if (!this.#wanted) { this.#socket = null; this.#authenticated = false; }
  }

  #sendJoin(room, entry) {
    const frame = { type: FrameTypes.join, room };
    entry.since = entry.lastSeq;
    if (entry.since !== undefined) frame.since = entry.since;
    this.#sendFrame(frame);
  }

  #sendRead(room, entry) {
    this.#sendFrame({ type: FrameTypes.read, room, seq: entry.pendingRead });
    entry.pendingRead = undefined;
  }

  /** The server could not replay the whole gap after `since`: fetch it from history, page by page. */
  async #backfill(room, since, upTo) {
    try {
      for (let after = since; after < upTo;) {
        const page = await this.api(`/api/rooms/${encodeURIComponent(room)}/messages?after=${after}&limit=200`);
        for (const message of page.messages) this.#emit("message", { ...message, recovered: true });
        if (page.messages.length === 0) break;
        after = page.messages[page.messages.length - 1].seq;
      }
    } catch (error) {
      this.#emit("error", { code: "backfill_failed", message: error.message, room });
    }
  }

  #flush(message) {
    if (this.#authenticated && this.#rooms.get(message.room)?.joined && this.#outbox.has(message.id)) {
      // JSON.stringify leaves out the fields that are undefined (and the promise's functions), so a text message is the v1 frame.
      this.#sendFrame({ ...message, resolve: undefined, reject: undefined });
    }
  }

  #sendFrame(frame) {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(frame));
  }

  #room(room) {
    let entry = this.#rooms.get(room);
    if (!entry) {
      entry = { lastSeq: undefined, since: undefined, joined: false, wanted: true };
      this.#rooms.set(room, entry);
    }
    return entry;
  }

  #expect(key) {
    return new Promise((resolve, reject) => {
      const waiters = this.#pending.get(key) ?? [];
      waiters.push({ resolve, reject });
      this.#pending.set(key, waiters);
    });
  }

  #settle(key, value, error) {
    const waiters = this.#pending.get(key);
    if (!waiters) return;
    this.#pending.delete(key);
    for (const waiter of waiters) error ? waiter.reject(error) : waiter.resolve(value);
  }

  #setState(state) {
    if (this.#state === state) return;
    this.#state = state;
    this.#emit("state", state);
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

