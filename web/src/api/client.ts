import { tokenSubject } from "../auth/jwt";
import type { paths } from "./schema";
import type { ErrorBody, NewTodo, Todo, TodoPage, TodoPatch } from "./types";

// The routes, checked against openapi.yaml by the type checker.
const TODOS = "/todos" satisfies keyof paths;
const TODO = "/todos/{todo_id}" satisfies keyof paths;
const RESTORE = "/todos/{todo_id}/restore" satisfies keyof paths;
type CompletedFilter = NonNullable<NonNullable<paths[typeof TODOS]["delete"]["parameters"]["query"]>["completed"]>;

function todoPath(id: string): string {
  return TODO.replace("{todo_id}", encodeURIComponent(id));
}

function withQuery(path: string, query: Record<string, string | number>): string {
  return `${path}?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString()}`;
}

/** An error answer from the API, `{"error": {"code", "message", "fields"?}}`, or a network failure (status 0). */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
    /** Seconds from a 503's Retry-After header. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

/** Raised when there is no valid session: the caller should ask the user to sign in again. */
export class SessionExpiredError extends ApiError {
  override name = "SessionExpiredError";
  constructor(message = "Your session has ended. Please sign in again.") {
    super(401, "unauthorized", message);
  }
}

/** The token at hand is another user's: nothing is sent with it (the write waits for its own user). */
export class OtherUserError extends SessionExpiredError {
  override name = "OtherUserError";
  constructor() {
    super("This change belongs to another account than the one signed in. Sign in as its owner to send it.");
  }
}

export interface ApiClientOptions {
  apiUrl: string;
  /** The `sub` of the user whose todos this client reads and writes: a token issued to anyone else is never sent. */
  user: string;
  /**
   * Returns a current Cognito ID token (refreshing it if needed; at once with `renew`)
   * or null when the session has ended. Throws when the sign-in service can't be reached.
   */
  getToken: (renew?: boolean) => Promise<string | null>;
  /** Told when the session has ended or the API rejects the token, so the app can ask the user to sign in again. */
  onSessionExpired?: () => void;
  fetchImpl?: typeof fetch;
}

export const PAGE_SIZE = 50;

/** The ApiError code of a request not sent because the sign-in service can't be reached to refresh the token. */
export const SIGN_IN_UNREACHABLE = "sign_in_unreachable";

/** The next-page URL from a `Link: <url>; rel="next"` header, resolved against the request URL. */
export function parseNextLink(header: string | null, base: string): string | null {
  if (!header) return null;
  for (const part of header.split(",")) {
    const match = /^<([^>]*)>(.*)$/.exec(part.trim());
    const rel = match ? /;\s*rel="?([^";]*)"?/i.exec(match[2] ?? "") : null;
    if (match && rel && (rel[1] ?? "").split(/\s+/).includes("next")) {
      return new URL(match[1] ?? "", base).toString();
    }
  }
  return null;
}

/** The strong ETag the API gives a todo at `version`: what If-Match must carry. */
export function etagFor(version: number): string {
  return `"${version}"`;
}

/** A fresh key for one user action; a retry of that action sends the same key. */
export function newIdempotencyKey(): string {
  return typeof crypto !== "undefined" && "randomUUID" in crypto
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

export function createApiClient(options: ApiClientOptions) {
  const fetchImpl = options.fetchImpl ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const base = options.apiUrl.replace(/\/+$/, "");
  const apiOrigin = new URL(base).origin;
  /** Only the API's own origin gets the token: a link to anywhere else is not followed. */
  const onApiOrigin = (url: string) => new URL(url).origin === apiOrigin;

  /** The ID token of this client's user; throws when there is none (or only another user's). */
  async function userToken(renew: boolean): Promise<string> {
    let token: string | null;
    try {
      token = await options.getToken(renew);
    } catch {
      // Cognito not reached (offline, say): the session stands, the request waits like any offline one.
      throw new ApiError(0, SIGN_IN_UNREACHABLE, "Can't reach the sign-in service. Check your connection and try again.");
    }
    if (!token) {
      options.onSessionExpired?.();
      throw new SessionExpiredError();
    }
    if (tokenSubject(token) !== options.user) {
      options.onSessionExpired?.();
      throw new OtherUserError();
    }
    return token;
  }

  async function send(method: string, url: string, token: string, body: unknown, headers: Record<string, string>) {
    try {
      return await fetchImpl(url, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        // A write outlives the page: a reload or a closed tab while it is on its way still
        // delivers it, where an aborted one would be queued for a replay the server may have
        // had already (a delete replayed would then be a 404).
        keepalive: method !== "GET",
      });
    } catch {
      throw new ApiError(0, "network", "Can't reach the server. Check your connection and try again.");
    }
  }

  async function request(method: string, target: string, body?: unknown, headers: Record<string, string> = {}) {
    const url = /^https?:\/\//.test(target) ? target : `${base}${target}`;
    if (!onApiOrigin(url)) throw new ApiError(0, "foreign_link", "The server pointed somewhere other than the API.");
    let response = await send(method, url, await userToken(false), body, headers);
    // Refused: refresh the token once and try again; refused again, the session is over.
    if (response.status === 401) response = await send(method, url, await userToken(true), body, headers);
    if (response.status === 401) {
      options.onSessionExpired?.();
      throw new SessionExpiredError();
    }
    if (!response.ok) {
      throw await errorFrom(response);
    }
    return { response, url };
  }

  return {
    user: options.user,
    async listTodos(pageUrl: string | null): Promise<TodoPage> {
      const { response, url } = await request("GET", pageUrl ?? withQuery(TODOS, { limit: PAGE_SIZE }));
      const todos = (await response.json()) as Todo[];
      const next = parseNextLink(response.headers.get("Link"), url);
      return { todos, next: next && onApiOrigin(next) ? next : null };
    },
    async getTodo(id: string): Promise<Todo> {
      const { response } = await request("GET", todoPath(id));
      return (await response.json()) as Todo;
    },
    /** `idempotencyKey`: one per user action, the same on every retry of it. */
    async createTodo(input: NewTodo, idempotencyKey: string): Promise<Todo> {
      const { response } = await request("POST", TODOS, input, { "Idempotency-Key": idempotencyKey });
      return (await response.json()) as Todo;
    },
    async updateTodo(id: string, patch: TodoPatch, version?: number): Promise<Todo> {
      const headers: Record<string, string> = version === undefined ? {} : { "If-Match": etagFor(version) };
      const { response } = await request("PATCH", todoPath(id), patch, headers);
      return (await response.json()) as Todo;
    },
    async deleteTodo(id: string): Promise<void> {
      await request("DELETE", todoPath(id));
    },
    /** Undoes a delete, within the server's window: the todo is back as it was. */
    async restoreTodo(id: string): Promise<void> {
      await request("POST", RESTORE.replace("{todo_id}", encodeURIComponent(id)));
    },
    async clearCompleted(): Promise<void> {
      const completed: CompletedFilter = "true";
      await request("DELETE", withQuery(TODOS, { completed }));
    },
    async setAllCompleted(completed: boolean): Promise<void> {
      await request("PATCH", TODOS, { completed });
    },
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

async function errorFrom(response: Response): Promise<ApiError> {
  let code = `http_${response.status}`;
  let message = "";
  let fields: Record<string, string> | undefined;
  try {
    const body = (await response.json()) as Partial<ErrorBody>;
    code = body.error?.code ?? code;
    message = body.error?.message ?? "";
    fields = body.error?.fields;
  } catch {
    // Not JSON (a proxy's error page, say): the status alone decides the message.
  }
  const retryAfter = Number(response.headers.get("Retry-After") ?? Number.NaN);
  return new ApiError(
    response.status,
    code,
    message || defaultMessage(response.status),
    fields,
    Number.isFinite(retryAfter) ? retryAfter : undefined,
  );
}

function defaultMessage(status: number): string {
  switch (status) {
    case 404:
      return "That todo no longer exists.";
    case 412:
      return "This todo was changed somewhere else.";
    case 413:
      return "That's too much text to save.";
    case 503:
      return "The service is busy right now. Try again in a moment.";
    default:
      return `The server answered with an error (HTTP ${status}).`;
  }
}
