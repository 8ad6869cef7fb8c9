// Two @microsoft/signalr clients that keep no cookie, on different replicas, join one room through the Gateway,
// each send a message and receive both. Run by Tests/SignalR/NodeSignalRTests.cs:
//   node hub-scenario.mjs <gatewayUrl> <WebSockets|ServerSentEvents|LongPolling> <room> <token>...
// Prints one JSON line: {replicas, acks, received:[[message frames of the first client], [of the second]]}.
import * as signalR from "@microsoft/signalr";

const [gateway, transportName, room, ...tokens] = process.argv.slice(2);
const transport = signalR.HttpTransportType[transportName];
const timeoutMs = 30_000;

// Fails the scenario if a step does not finish in time (the test also bounds the whole process).
function within(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), timeoutMs); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Node's fetch without a cookie jar (the library's default client keeps one), noting the replica that answered
// the negotiate request in the Gateway's X-Realtime-Replica header.
class CookielessHttpClient extends signalR.HttpClient {
  replica = null;

  async send(request) {
    const controller = new AbortController();
    if (request.abortSignal) {
      if (request.abortSignal.aborted) throw new signalR.AbortError();
      request.abortSignal.onabort = () => controller.abort();
    }
    const timer = request.timeout ? setTimeout(() => controller.abort(), request.timeout) : null;
    let response;
    try {
      response = await fetch(request.url, {
        method: request.method,
        headers: { "X-Requested-With": "XMLHttpRequest", ...request.headers },
        body: request.content === "" ? undefined : request.content,
        signal: controller.signal,
      });
    } catch (error) {
      if (controller.signal.aborted) throw request.abortSignal?.aborted ? new signalR.AbortError() : new signalR.TimeoutError();
      throw error;
    } finally {
      if (timer) clearTimeout(timer);
      if (request.abortSignal) request.abortSignal.onabort = null;
    }
    if (request.url.includes("/negotiate")) this.replica = response.headers.get("x-realtime-replica");
    const content = request.responseType === "arraybuffer" ? await response.arrayBuffer() : await response.text();
    if (!response.ok) throw new signalR.HttpError(content || response.statusText, response.status);
    return new signalR.HttpResponse(response.status, response.statusText, content);
  }

  getCookieString() {
    return "";
  }
}

async function connect(token) {
  const httpClient = new CookielessHttpClient();
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(new URL("/hub", gateway).href, { transport, httpClient, accessTokenFactory: () => token })
    .configureLogging(signalR.LogLevel.Warning)
    .build();
  const messages = [];
  const waiters = [];
  connection.on("message", frame => {
    messages.push(frame);
    waiters.splice(0).forEach(wake => wake());
  });
  await within(connection.start(), "start");
  const waitForMessages = count => within(new Promise(resolve => {
    const check = () => (messages.length >= count ? resolve(messages) : waiters.push(check));
    check();
  }), `${count} messages`);
  return { connection, httpClient, messages, waitForMessages };
}

const clients = [];
try {
  // The Gateway balances new connections; an open one makes it prefer the other replica.
  let first = null;
  let second = null;
  for (let attempt = 0; attempt < tokens.length * 2 && !second; attempt++) {
    const client = await connect(tokens[attempt % tokens.length]);
    clients.push(client);
    if (!first) first = client;
    else if (client.httpClient.replica !== first.httpClient.replica) second = client;
  }
  if (!second) throw new Error("no connection landed on a second replica");

  const pair = [first, second];
  for (const client of pair) {
    const joined = await within(client.connection.invoke("Join", room, null), "join");
    if (joined.type !== "joined") throw new Error(`join answered ${JSON.stringify(joined)}`);
  }
  const acks = [];
  for (const [index, client] of pair.entries()) {
    acks.push(await within(client.connection.invoke("Send", room, `from node client ${index}`, `node-${index}`), "send"));
  }
  const received = await Promise.all(pair.map(client => client.waitForMessages(2)));
  console.log(JSON.stringify({ replicas: pair.map(client => client.httpClient.replica), acks, received }));
} catch (error) {
  console.error(`scenario failed: ${error?.stack ?? error}`);
  process.exitCode = 1;
} finally {
  await Promise.allSettled(clients.map(client => within(client.connection.stop(), "stop")));
}
