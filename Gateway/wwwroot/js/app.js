// The chat page: wires the RealtimeClient to the DOM. Everything the user typed is shown with textContent only.
import { RealtimeClient, ApiError } from "./realtime-client.js";

const client = new RealtimeClient();
const $ = id => document.getElementById(id);
const pageSize = 50;
const typingShownMs = 4000;
const typingSentEveryMs = 2000;
const stateLabels = { offline: "Offline", connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…" };

/** room -> { messages: Map(seq -> message), members: Map(userId -> username), typing: Map(userId -> {username, until}), … } */
const rooms = new Map();
let current = null;
let lastTypingSent = 0;

// ---- signing in --------------------------------------------------------------------------------------------

$("auth-form").addEventListener("submit", async event => {
  event.preventDefault();
  const action = event.submitter?.value ?? "login";
  const username = $("username").value.trim();
  const password = $("password").value;
  $("auth-error").textContent = "";
  try {
    if (action === "register") await client.register(username, password);
    await client.login(username, password);
  } catch (error) {
    $("auth-error").textContent = describe(error);
  }
});

$("logout").addEventListener("click", () => client.logout());

client.addEventListener("session", event => {
  if (!event.detail) showSignIn();
  else if ($("chat").hidden) showChat();
});

function showSignIn() {
  rooms.clear();
  current = null;
  $("chat").hidden = true;
  $("account").hidden = true;
  $("sign-in").hidden = false;
  $("password").value = "";
  $("username").focus();
}

function showChat() {
  $("sign-in").hidden = true;
  $("chat").hidden = false;
  $("account").hidden = false;
  $("current-user").textContent = client.user.username;
  rooms.clear();
  const saved = JSON.parse(localStorage.getItem(roomsKey()) ?? "[]");
  for (const room of saved.length ? saved : [{ id: "lobby" }]) addRoom(room.id, room);
  client.connect();
  for (const room of rooms.keys()) joinRoom(room);
  selectRoom(rooms.keys().next().value);
}

// ---- rooms ---------------------------------------------------------------------------------------------------

function roomsKey() { return `realtime.rooms.${client.user.userId}`; }

function saveRooms() {
  const list = [...rooms].map(([id, room]) => ({ id, owner: room.owner, visibility: room.visibility }));
  localStorage.setItem(roomsKey(), JSON.stringify(list));
}

function addRoom(id, { owner = false, visibility = "public" } = {}) {
  if (!rooms.has(id)) {
    rooms.set(id, {
      owner, visibility, messages: new Map(), pending: new Map(), members: new Map(), typing: new Map(),
      unread: 0, mentions: 0, latestSeq: 0, historyLoaded: false, hasOlder: true,
    });
    saveRooms();
  }
  renderRoomList();
  return rooms.get(id);
}

async function joinRoom(id) {
  try {
    await client.join(id);
  } catch (error) {
    rooms.delete(id);
    saveRooms();
    renderRoomList();
    if (current === id) selectRoom(rooms.keys().next().value ?? null);
    notice(`Cannot join ${id}: ${describe(error)}`);
  }
}

client.addEventListener("joined", async ({ detail: frame }) => {
  const room = rooms.get(frame.room);
  if (!room) return;
  room.members = new Map((frame.members ?? []).map(m => [m.userId, m.username]));
  room.latestSeq = Math.max(room.latestSeq, frame.seq);
  if (frame.room === current) renderPresence();
  if (!room.historyLoaded) {
    room.historyLoaded = true;
    await loadOlder(frame.room, frame.seq + 1);
  }
});

function selectRoom(id) {
  current = id;
  const room = id ? rooms.get(id) : null;
  $("room-title").textContent = id ?? "Pick a room";
  $("composer-input").disabled = !room;
  $("send").disabled = !room;
  if (room) { room.unread = 0; room.mentions = 0; }
  $("member-form").hidden = !room?.owner;
  $("member-room").textContent = id ?? "";
  renderRoomList();
  renderMessages();
  renderPresence();
  renderTyping();
  closeRoomPanel();
}

async function loadOlder(id, before) {
  const room = rooms.get(id);
  if (!room || room.loadingHistory) return;
  room.loadingHistory = true;
  const oldest = before ?? Math.min(...room.messages.keys());
  try {
    const page = await client.api(`/api/rooms/${encodeURIComponent(id)}/messages?before=${oldest}&limit=${pageSize}`);
    room.hasOlder = page.messages.length === pageSize;
    const list = $("messages");
    const fromBottom = list.scrollHeight - list.scrollTop;
    for (const message of page.messages) addMessage(message, { history: true });
    if (id === current) {
      $("load-older").hidden = !room.hasOlder;
      // The first page shows the newest messages; an older page keeps the view where the reader was.
      list.scrollTop = before === undefined ? list.scrollHeight - fromBottom : list.scrollHeight;
    }
  } catch (error) {
    // The first page is tried again on the next join (after a reconnect); older pages by the button.
    if (before !== undefined) room.historyLoaded = false;
    notice(`History of ${id}: ${describe(error)}`);
  } finally {
    room.loadingHistory = false;
  }
}

$("load-older").addEventListener("click", () => current && loadOlder(current));
$("messages").addEventListener("scroll", event => {
  const room = rooms.get(current);
  if (event.target.scrollTop === 0 && room?.hasOlder && room.messages.size) loadOlder(current);
});

$("join-form").addEventListener("submit", event => {
  event.preventDefault();
  const id = $("join-room").value.trim();
  if (!id) return;
  addRoom(id);
  joinRoom(id);
  selectRoom(id);
  $("join-room").value = "";
});

$("create-form").addEventListener("submit", async event => {
  event.preventDefault();
  const id = $("create-room").value.trim();
  const members = $("create-members").value.split(",").map(s => s.trim()).filter(Boolean);
  try {
    await client.api("/api/rooms", { method: "POST", body: { room: id, visibility: "private", members } });
    addRoom(id, { owner: true, visibility: "private" });
    joinRoom(id);
    selectRoom(id);
    $("create-form").reset();
    sideStatus(`Created private room ${id}`);
  } catch (error) {
    sideStatus(`Could not create ${id}: ${describe(error)}`);
  }
});

$("member-form").addEventListener("submit", async event => {
  event.preventDefault();
  const username = $("member-name").value.trim();
  try {
    await client.api(`/api/rooms/${encodeURIComponent(current)}/members`, { method: "POST", body: { username } });
    $("member-form").reset();
    sideStatus(`Added ${username} to ${current}`);
  } catch (error) {
    sideStatus(`Could not add ${username}: ${describe(error)}`);
  }
});

// ---- messages ------------------------------------------------------------------------------------------------

client.addEventListener("message", ({ detail }) => addMessage(detail));

function addMessage(message, { history = false } = {}) {
  const room = rooms.get(message.room);
  if (!room || room.messages.has(message.seq)) return;
  room.messages.set(message.seq, message);
  room.latestSeq = Math.max(room.latestSeq, message.seq);
  if (message.room === current) {
    insertMessageNode(message);
  } else if (!history) {
    room.unread++;
    renderRoomList();
  }
}

$("composer").addEventListener("submit", event => {
  event.preventDefault();
  const input = $("composer-input");
  const content = input.value.trim();
  if (!content || !current) return;
  const id = crypto.randomUUID();
  const room = rooms.get(current);
  room.pending.set(id, { id, room: current, content });
  renderPending(current);
  input.value = "";
  client.send(current, content, id)
    .catch(error => notice(`Not sent: ${describe(error)}`))
    .finally(() => { room.pending.delete(id); renderPending(current); });
});

$("composer-input").addEventListener("keydown", event => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("composer").requestSubmit();
  }
});

$("composer-input").addEventListener("input", () => {
  const now = Date.now();
  if (current && now - lastTypingSent > typingSentEveryMs) {
    lastTypingSent = now;
    client.typing(current);
  }
});

function renderMessages() {
  const list = $("message-list");
  list.replaceChildren();
  const room = rooms.get(current);
  $("load-older").hidden = !room?.hasOlder || !room?.historyLoaded;
  if (!room) return;
  for (const seq of [...room.messages.keys()].sort((a, b) => a - b)) list.append(messageNode(room.messages.get(seq)));
  renderPending(current);
  $("messages").scrollTop = $("messages").scrollHeight;
}

function insertMessageNode(message) {
  const list = $("message-list");
  const container = $("messages");
  const atBottom = container.scrollHeight - container.scrollTop - container.clientHeight < 40;
  const node = messageNode(message);
  const after = [...list.querySelectorAll("li[data-seq]")].find(li => Number(li.dataset.seq) > message.seq);
  list.insertBefore(node, after ?? list.querySelector("li.pending"));
  if (atBottom || message.userId === client.user?.userId) container.scrollTop = container.scrollHeight;
}

function messageNode(message) {
  const li = document.createElement("li");
  li.className = "message";
  li.dataset.seq = message.seq;
  if (message.userId === client.user?.userId) li.classList.add("mine");
  const meta = document.createElement("div");
  meta.className = "meta";
  const author = document.createElement("span");
  author.className = "author";
  author.textContent = message.username;
  const time = document.createElement("time");
  time.dateTime = message.timestamp;
  time.textContent = new Date(message.timestamp).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  meta.append(author, time);
  li.append(meta);
  if (typeof message.content === "string") {
    const content = document.createElement("p");
    content.className = "content";
    if (appendWithMentions(content, message.content)) li.classList.add("mentions-me");
    li.append(content);
  }
  if (message.data !== undefined && message.data !== null) li.append(dataPreview(message.data));
  return li;
}

const dataPreviewLength = 160;

/** A message's structured `data` as one line of compact JSON, cut short; the whole JSON is its tooltip. */
function dataPreview(data) {
  const json = JSON.stringify(data);
  const preview = document.createElement("code");
  preview.className = "data";
  preview.title = JSON.stringify(data, null, 2);
  preview.textContent = json.length > dataPreviewLength ? `${json.slice(0, dataPreviewLength)}…` : json;
  return preview;
}

/** Appends text with @mentions marked; true when the current user is mentioned. */
function appendWithMentions(element, text) {
  const me = client.user?.username;
  let mentioned = false;
  let last = 0;
  for (const match of text.matchAll(/@([a-z0-9_]{3,32})\b/g)) {
    element.append(text.slice(last, match.index));
    const mark = document.createElement("mark");
    mark.className = "mention";
    mark.textContent = match[0];
    element.append(mark);
    if (match[1] === me) mentioned = true;
    last = match.index + match[0].length;
  }
  element.append(text.slice(last));
  return mentioned;
}

function renderPending(id) {
  if (id !== current) return;
  const list = $("message-list");
  list.querySelectorAll("li.pending").forEach(li => li.remove());
  for (const message of rooms.get(id)?.pending.values() ?? []) {
    const li = document.createElement("li");
    li.className = "message mine pending";
    li.dataset.id = message.id;
    const content = document.createElement("p");
    content.className = "content";
    content.textContent = message.content;
    const status = document.createElement("span");
    status.className = "meta";
    status.textContent = client.state === "live" ? "Sending…" : "Waiting for the connection…";
    li.append(status, content);
    list.append(li);
  }
}

// ---- presence, typing, mentions ------------------------------------------------------------------------------

client.addEventListener("user_joined", ({ detail }) => updateMembers(detail, true));
client.addEventListener("user_left", ({ detail }) => updateMembers(detail, false));
client.addEventListener("presence", ({ detail }) => {
  const room = rooms.get(detail.room);
  if (!room) return;
  room.members = new Map(detail.members.map(m => [m.userId, m.username]));
  if (detail.room === current) renderPresence();
});

function updateMembers({ room: id, userId, username }, present) {
  const room = rooms.get(id);
  if (!room) return;
  if (present) room.members.set(userId, username); else room.members.delete(userId);
  if (id === current) renderPresence();
}

function renderPresence() {
  const room = rooms.get(current);
  const names = room ? [...room.members.values()].sort() : [];
  $("presence").textContent = names.length ? names.join(", ") : "nobody";
}

client.addEventListener("user_typing", ({ detail }) => {
  const room = rooms.get(detail.room);
  if (!room || detail.userId === client.user?.userId) return;
  room.typing.set(detail.userId, { username: detail.username, until: Date.now() + typingShownMs });
  if (detail.room === current) renderTyping();
});

function renderTyping() {
  const room = rooms.get(current);
  const now = Date.now();
  const names = [];
  for (const [userId, typing] of room?.typing ?? []) {
    if (typing.until < now) room.typing.delete(userId); else names.push(typing.username);
  }
  const text = names.length === 0 ? "" : names.length === 1 ? `${names[0]} is typing…` : `${names.join(", ")} are typing…`;
  if ($("typing").textContent !== text) $("typing").textContent = text;
}
setInterval(renderTyping, 1000);

client.addEventListener("notification", ({ detail }) => {
  if (detail.kind !== "mention") return;
  const room = rooms.get(detail.message.room) ?? addRoom(detail.message.room);
  if (detail.message.room !== current) {
    room.mentions++;
    renderRoomList();
    notice(`${detail.message.username} mentioned you in ${detail.message.room}`);
  }
});

// ---- connection state and errors -----------------------------------------------------------------------------

client.addEventListener("state", ({ detail: state }) => {
  const element = $("connection-state");
  element.dataset.state = state;
  element.textContent = stateLabels[state] ?? state;
  renderPending(current);
});

client.addEventListener("closed", ({ detail }) => {
  if (detail.code === 4001) notice("Disconnected: you opened too many connections elsewhere. Reload to reconnect.");
});

client.addEventListener("error", ({ detail }) => {
  if (detail.code === "rate_limited") notice(`Slow down: sending again in ${Math.ceil((detail.retryAfterMs ?? 1000) / 1000)} s`);
});

function renderRoomList() {
  const list = $("room-list");
  list.replaceChildren();
  for (const [id, room] of rooms) {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.room = id;
    button.setAttribute("aria-current", String(id === current));
    const name = document.createElement("span");
    name.textContent = room.visibility === "private" ? `🔒 ${id}` : `# ${id}`;
    button.append(name);
    if (room.mentions || room.unread) {
      const badge = document.createElement("span");
      badge.className = room.mentions ? "badge mention" : "badge";
      badge.textContent = room.mentions ? `@${room.mentions}` : String(room.unread);
      badge.setAttribute("aria-label", room.mentions ? `${room.mentions} mentions` : `${room.unread} unread`);
      button.append(badge);
    }
    button.addEventListener("click", () => selectRoom(id));
    li.append(button);
    list.append(li);
  }
}

$("toggle-rooms").addEventListener("click", () => {
  const open = $("room-panel").classList.toggle("open");
  $("toggle-rooms").setAttribute("aria-expanded", String(open));
});

function closeRoomPanel() {
  $("room-panel").classList.remove("open");
  $("toggle-rooms").setAttribute("aria-expanded", "false");
}

function notice(text) { $("notice").textContent = text; }
function sideStatus(text) { $("side-status").textContent = text; }

function describe(error) {
  if (error instanceof ApiError) {
    const problem = error.problem;
    const details = problem?.errors ? Object.values(problem.errors).flat().join(" ") : "";
    if (error.status === 429) return "Too many attempts; wait a moment.";
    return details || problem?.detail || problem?.title || `HTTP ${error.status}`;
  }
  return error?.message ?? String(error);
}

if (client.user) showChat(); else showSignIn();
