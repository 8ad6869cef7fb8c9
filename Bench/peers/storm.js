// The peers' side of the reconnect storm (issue 19): one peer as run-peers.sh starts it (a fresh redis-server, two
// servers, nginx in front with one listen port per server), N clients joined to R rooms with traffic flowing, then
// one of the two servers is restarted under its clients (SIGTERM, the same command started again). Measures the
// time from the kill until every client of that server is connected again and has rejoined its room; one JSON
// line on stdout (or --out), progress on stderr. Uses the peer-bench copy's node_modules and its lib.js.
//
//   node Bench/peers/storm.js --pb /tmp/peer-bench --peer socketio|signalr --conns 1000 --rooms 10 --rate 100 [--pubs 10]
//
// The peers have no resume (no `since`): their `lost` is what clients missed while away, reported, not a target.
// Both clients reconnect with the backoff of our .NET client (250 ms base, doubled per attempt, 30 s cap, full
// jitter), so the comparison is of the servers, not of the retry policies.
'use strict';
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const argv = process.argv.slice(2);
const pb = path.resolve(argv[argv.indexOf('--pb') + 1] || '');
const lib = require(path.join(pb, 'loadgen', 'lib.js'));
const need = createRequire(path.join(pb, 'loadgen', 'package.json'));
const o = lib.parseArgs(argv, {
  pb, peer: 'socketio', conns: 1000, rooms: 10, rate: 100, pubs: 10, size: 64, concurrency: 100, warmup: 5, after: 3,
  settle: 5, recoverTimeout: 180, redisPort: 6391, out: '',
});
const PORTS = { socketio: [3001, 3002], signalr: [5001, 5002] }[o.peer];
if (!PORTS) throw new Error(`unknown peer ${o.peer}`);
const now = () => performance.timeOrigin + performance.now();
const log = (m) => process.stderr.write(`[storm ${o.peer}] ${m}\n`);
const backoff = (attempt) => Math.random() * Math.min(30000, 250 * 2 ** Math.min(attempt, 30));

// ---- processes: only what this script starts, stopped by PID -------------------------------------------------
const started = [];
const run = path.join(pb, 'run');
fs.mkdirSync(run, { recursive: true });
fs.mkdirSync(path.join(pb, 'logs'), { recursive: true });
function start(name, cmd, args) {
  const out = fs.openSync(path.join(pb, 'logs', `storm-${o.peer}-${name}.log`), 'a');
  const child = spawn(cmd, args, { cwd: pb, stdio: ['ignore', out, out] });
  started.push(child);
  return child;
}
async function stop(child) { // as run-peers.sh stops a server: TERM, up to 5 s, then KILL; true when it had to kill
  if (child.exitCode !== null || child.signalCode !== null) return false;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  if (await Promise.race([exited.then(() => true), lib.sleep(5000).then(() => false)])) return false;
  child.kill('SIGKILL');
  await exited;
  return true;
}
const serverCommand = (port) => (o.peer === 'socketio'
  ? ['node', [path.join(pb, 'peers/socketio/server.js'), String(port), `redis://127.0.0.1:${o.redisPort}`]]
  : ['dotnet', [path.join(pb, 'peers/signalr/bin/Release/net10.0/SignalRPeer.dll'), String(port), `127.0.0.1:${o.redisPort}`]]);
async function waitPort(port, child) {
  const net = require('net');
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`process for port ${port} exited`);
    if (await new Promise((r) => { const s = net.connect(port, '127.0.0.1', () => { s.end(); r(true); }); s.on('error', () => r(false)); })) return;
    await lib.sleep(50);
  }
  throw new Error(`port ${port} did not come up`);
}
function nginxConfig() { // the same front as run-peers.sh's start_nginx
  const limit = execFileSync('bash', ['-c', 'ulimit -Hn']).toString().trim();
  const servers = PORTS.map((p) => `  server { listen 127.0.0.1:${p + 100} backlog=4096; location / { proxy_pass http://127.0.0.1:${p}; proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $connection_upgrade; proxy_set_header Host $host; proxy_read_timeout 3600s; proxy_send_timeout 3600s; proxy_buffering off; } }`).join('\n');
  const conf = path.join(run, 'storm-nginx.conf');
  fs.writeFileSync(conf, `worker_processes auto;\nworker_rlimit_nofile ${limit};\npid ${run}/storm-nginx.pid;\nerror_log ${pb}/logs/storm-nginx-error.log warn;\ndaemon off;\nevents { worker_connections 30000; multi_accept on; }\nhttp {\n  access_log off;\n  map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n${servers}\n}\n`);
  return conf;
}
const childPids = (pid) => { try { return execFileSync('pgrep', ['-P', String(pid)]).toString().split('\n').filter(Boolean).map(Number); } catch { return []; } };

// ---- clients: each reconnects by itself and rejoins its room ---------------------------------------------------
function socketioClient(url, st) {
  const { io } = need('socket.io-client');
  // randomizationFactor 1 spreads each delay over [0, 2 × base × 2^n], socket.io's nearest to full jitter.
  const s = io(url, { transports: ['websocket'], forceNew: true, reconnection: true, reconnectionDelay: 250, reconnectionDelayMax: 30000, randomizationFactor: 1, timeout: 15000 });
  s.on('message', (m) => st.received(m.seq));
  s.on('disconnect', (reason) => { st.dropped(); if (reason === 'io server disconnect') s.connect(); });
  s.on('connect', () => s.timeout(15000).emitWithAck('join', st.room).then(() => st.joined(), () => s.disconnect().connect()));
  return { send: (content, ts, seq) => s.emit('send', { room: st.room, content, ts, seq }), close: () => s.disconnect() };
}
function signalrClient(url, st) {
  const signalR = need('@microsoft/signalr');
  const c = new signalR.HubConnectionBuilder()
    .withUrl(`${url}/hub`, { transport: signalR.HttpTransportType.WebSockets, skipNegotiation: true, WebSocket: need('ws') })
    .configureLogging(signalR.LogLevel.None).build();
  c.on('message', (m) => st.received(m.seq));
  let closing = false;
  const connect = async () => {
    for (let attempt = 0; !closing; attempt++) {
      try {
        await c.start();
        await c.invoke('JoinRoom', st.room);
        st.joined();
        return;
      } catch {
        if (c.state !== signalR.HubConnectionState.Disconnected) await c.stop().catch(() => {});
        await lib.sleep(backoff(attempt));
      }
    }
  };
  // A server that stops sends a close that forbids SignalR's own reconnect, so the loop above reconnects instead.
  c.onclose(() => { if (!closing) { st.dropped(); connect(); } });
  return { connect, send: (content, ts, seq) => { c.send('Send', st.room, content, ts, seq).catch(() => {}); }, close: () => { closing = true; return c.stop(); } };
}
class ClientState {
  constructor(i, front) { this.i = i; this.front = front; this.room = `room-${i % o.rooms}`; this.seqs = new Set(); this.drops = 0; this.droppedAt = 0; this.joinedAt = 0; this.up = false; }
  dropped() { this.up = false; if (this.drops++ === 0) this.droppedAt = now(); }
  joined() { this.joinedAt = now(); this.up = true; }
  received(seq) { this.seqs.add(seq); }
  backAfter(t) { return this.drops > 0 && this.droppedAt >= t && this.up && this.joinedAt > this.droppedAt; }
}

async function main() {
  const redis = start('redis', 'redis-server', ['--port', String(o.redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', run]);
  await waitPort(o.redisPort, redis);
  const servers = PORTS.map((p) => start(`server-${p}`, ...serverCommand(p)));
  await Promise.all(PORTS.map((p, k) => waitPort(p, servers[k])));
  const nginx = start('nginx', '/usr/sbin/nginx', ['-c', nginxConfig(), '-p', run]);
  await Promise.all(PORTS.map((p) => waitPort(p + 100, nginx)));
  await lib.sleep(300); // nginx's workers
  const fronts = PORTS.map((p) => `http://127.0.0.1:${p + 100}`);

  // Connect + join, the shared load generator's layout: connection i on server ((i % R) + i / R) % 2.
  const states = [...Array(o.conns)].map((_, i) => new ClientState(i, ((i % o.rooms) + Math.floor(i / o.rooms)) % 2));
  const clients = new Array(o.conns);
  let next = 0; let failed = 0;
  const t0 = now();
  await Promise.all([...Array(Math.min(o.concurrency, o.conns))].map(async () => {
    while (next < o.conns) {
      const st = states[next++];
      const joined = new Promise((r) => { const j = st.joined.bind(st); st.joined = () => { j(); r(); }; });
      const client = (o.peer === 'socketio' ? socketioClient : signalrClient)(fronts[st.front], st);
      if (client.connect) client.connect();
      clients[st.i] = client;
      if (await Promise.race([joined.then(() => true), lib.sleep(30000).then(() => false)])) delete st.joined; else failed++;
      if ((st.i + 1) % 1000 === 0) log(`connected+joined ${st.i + 1}/${o.conns}`);
    }
  }));
  const connectS = (now() - t0) / 1000;
  const connect = { ok: o.conns - failed, failed, secs: lib.round(connectS), perSec: lib.round((o.conns - failed) / connectS, 1) };
  log(`${connect.ok}/${o.conns} connected+joined in ${connect.secs}s (${connect.perSec}/s)`);

  // Traffic: publishers 0..P-1 send rate msg/s in total, open loop.
  const sent = new Map(); // seq -> room
  let seq = 0; let sending = true;
  const pubs = states.slice(0, Math.min(o.pubs, o.conns));
  const padding = 'x'.repeat(o.size);
  const traffic = (async () => {
    const start0 = now();
    while (sending) {
      const due = start0 + (seq / o.rate) * 1000;
      if (due > now()) await lib.sleep(due - now());
      const p = pubs[seq % pubs.length];
      if (p.up) { sent.set(seq, p.room); clients[p.i].send(padding, now(), seq); }
      seq++;
    }
  })();
  await lib.sleep(o.warmup * 1000);

  // The storm: restart server 0 under its clients.
  const nginxPids = [nginx.pid, ...childPids(nginx.pid)];
  const groups = () => ({ [`server-${PORTS[0]}`]: [servers[0].pid], [`server-${PORTS[1]}`]: [servers[1].pid], redis: [redis.pid], nginx: nginxPids });
  const cpuOf = (g) => Object.fromEntries(Object.entries(g).map(([k, pids]) => [k, lib.sum(pids.map(lib.cpuSeconds))]));
  const cpuBefore = cpuOf(groups());
  const killedAt = now();
  const old = servers[0];
  const oldCpu = () => lib.cpuSeconds(old.pid);
  let oldCpuAtExit = oldCpu();
  const poll = setInterval(() => { const c = oldCpu(); if (Number.isFinite(c)) oldCpuAtExit = c; }, 50);
  const killed = await stop(old);
  const stoppedMs = now() - killedAt;
  clearInterval(poll);
  servers[0] = start(`server-${PORTS[0]}`, ...serverCommand(PORTS[0]));
  await waitPort(PORTS[0], servers[0]);
  const upAgainMs = now() - killedAt;
  const affected = states.filter((s) => s.front === 0 && s.joinedAt > 0);
  log(`server ${PORTS[0]} restarted (listening after ${Math.round(upAgainMs)} ms); waiting for ${affected.length} clients`);
  let recoveredAt = null;
  for (let last = now(); now() - killedAt < o.recoverTimeout * 1000; await lib.sleep(20)) {
    const back = affected.filter((s) => s.backAfter(killedAt)).length;
    if (back === affected.length) { recoveredAt = now(); break; }
    if (now() - last >= 1000) { last = now(); log(`${back}/${affected.length} back after ${((now() - killedAt) / 1000).toFixed(1)}s`); }
  }
  const cpuAfter = cpuOf(groups());
  const cpuS = Object.fromEntries(Object.keys(cpuBefore).map((k) => [k, lib.round(cpuAfter[k] - cpuBefore[k])]));
  // The old server's CPU up to its exit, plus the new one's since its start.
  cpuS[`server-${PORTS[0]}`] = lib.round(oldCpuAtExit - cpuBefore[`server-${PORTS[0]}`] + cpuAfter[`server-${PORTS[0]}`]);

  await lib.sleep(o.after * 1000);
  sending = false;
  await traffic;
  await lib.sleep(o.settle * 1000);
  const members = new Map();
  for (const s of states) if (s.joinedAt > 0) members.set(s.room, [...(members.get(s.room) || []), s]);
  let expected = 0; let received = 0;
  for (const [n, room] of sent) for (const m of members.get(room) || []) { expected++; if (m.seqs.has(n)) received++; }

  const back = affected.filter((s) => s.backAfter(killedAt));
  const result = {
    peer: o.peer, proto: o.peer, scenario: `storm-${o.conns}`, at: new Date().toISOString(),
    params: { conns: o.conns, rooms: o.rooms, rate: o.rate, pubs: pubs.length },
    connect,
    restart: { server: PORTS[0], stoppedAfterMs: lib.round(stoppedMs, 1), killedAfterTerm: killed, listeningAfterMs: lib.round(upAgainMs, 1) },
    drained: affected.length, recovered: back.length,
    recoverS: recoveredAt === null ? null : lib.round((recoveredAt - killedAt) / 1000, 3),
    reconnectMs: lib.latencySummary(back.map((s) => s.joinedAt - s.droppedAt)),
    sinceDrainMs: lib.latencySummary(back.map((s) => s.joinedAt - killedAt)),
    delivery: { sent: sent.size, expected, delivered: received, lost: expected - received },
    cpuS,
    errors: { connect: failed, notBack: affected.length - back.length, undrainedDropped: states.filter((s) => s.front !== 0 && s.drops > 0).length },
  };
  log(`${back.length}/${affected.length} back in ${result.recoverS}s, reconnect p99 ${result.reconnectMs.p99} ms, lost ${result.delivery.lost}`);
  const line = `${JSON.stringify(result)}\n`;
  if (o.out) fs.writeFileSync(o.out, line); else process.stdout.write(line);
  await Promise.all(clients.filter(Boolean).map((c) => Promise.resolve(c.close()).catch(() => {})));
}

async function cleanup() { // servers first, redis (started first) last
  for (const child of started.slice(1).reverse()) await stop(child); // eslint-disable-line no-await-in-loop
  if (started[0]) await stop(started[0]);
}
process.on('SIGINT', () => cleanup().then(() => process.exit(130)));
process.on('SIGTERM', () => cleanup().then(() => process.exit(143)));
main().then(cleanup, async (e) => { log(e.stack || e); await cleanup(); process.exit(1); });
