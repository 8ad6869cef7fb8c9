// The signed-in session of the browser client: tokens from /api/auth, kept in sessionStorage, refreshed ahead
// of expiry, and authenticated JSON requests to the HTTP API. RealtimeClient owns one; pages use it through
// RealtimeClient (login, logout, api).

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

const sessionKey = "realtime.session";

export class AuthSession {
  #options; // { baseUrl, storage, refreshLeadMs }
  #events; // { refreshed(), signedIn(), signedOut() }
  #tokens = null; // { accessToken, refreshToken, expiresAt, userId, username }
  #refreshing = null;
  #refreshTimer = 0;

  constructor(options, events) {
    this.#options = options;
    this.#events = events;
    const saved = safeJson(options.storage?.getItem(sessionKey) ?? "");
    if (saved?.refreshToken) {
      this.#tokens = saved;
      this.#scheduleRefresh();
    }
  }

  get signedIn() { return this.#tokens !== null; }
  get accessToken() { return this.#tokens?.accessToken; }
  get user() { return this.#tokens ? { userId: this.#tokens.userId, username: this.#tokens.username } : null; }

  register(username, password) {
    return this.#post("/api/auth/register", { username, password });
  }

  async login(username, password) {
    this.#useTokens(await this.#post("/api/auth/token", { username, password }));
    this.#events.signedIn();
  }

  /** Trades the refresh token for a new pair; concurrent callers share one request. A refusal signs out. */
  refresh() {
    this.#refreshing ??= (async () => {
      try {
        if (!this.#tokens?.refreshToken) throw new ApiError(401, { title: "Not signed in" });
        this.#useTokens(await this.#post("/api/auth/refresh", { refreshToken: this.#tokens.refreshToken }));
        this.#events.refreshed();
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) this.signOut();
        throw error;
      } finally {
        this.#refreshing = null;
      }
    })();
    return this.#refreshing;
  }

  signOut() {
    this.#tokens = null;
    clearTimeout(this.#refreshTimer);
    this.#options.storage?.removeItem(sessionKey);
    this.#events.signedOut();
  }

  /** Refreshes first when the access token is about to expire. */
  async ensureFresh() {
    if (this.#tokens && this.#tokens.expiresAt - Date.now() < 5000) await this.refresh();
  }

  /** An authenticated JSON request to the HTTP API; refreshes the access token once on 401. */
  async api(path, { method = "GET", body } = {}) {
    await this.ensureFresh();
    let response = await this.#fetch(path, method, body, this.accessToken);
    if (response.status === 401 && this.#tokens) {
      await this.refresh();
      response = await this.#fetch(path, method, body, this.accessToken);
    }
    return this.#read(response);
  }

  async #post(path, body) {
    return this.#read(await this.#fetch(path, "POST", body));
  }

  #fetch(path, method, body, token) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = `Bearer ${token}`;
    return fetch(this.#options.baseUrl + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin",
    });
  }

  async #read(response) {
    const text = await response.text();
    const data = text ? safeJson(text) : null;
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  #useTokens(tokens) {
    const claims = decodeJwt(tokens.accessToken);
    this.#tokens = {
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresAt: claims.exp ? claims.exp * 1000 : Date.now() + tokens.expiresIn * 1000,
      userId: claims.sub,
      username: claims.name,
    };
    this.#options.storage?.setItem(sessionKey, JSON.stringify(this.#tokens));
    this.#scheduleRefresh();
  }

  #scheduleRefresh() {
    clearTimeout(this.#refreshTimer);
    const lifetime = this.#tokens.expiresAt - Date.now();
    const lead = Math.min(this.#options.refreshLeadMs, Math.max(0, lifetime / 3));
    this.#refreshTimer = setTimeout(() => this.refresh().catch(() => {}), Math.max(0, lifetime - lead));
  }
}

export function safeJson(text) {
  try { return JSON.parse(text); } catch { return null; }
}

function decodeJwt(token) {
  const payload = token.split(".")[1] ?? "";
  const base64 = payload.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(payload.length / 4) * 4, "=");
  const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}
