/**
 * The one place a write waits: writes that cannot be sent now (offline, the API out of
 * reach, the user's session ended) are kept in an outbox in localStorage (per user, so
 * they survive a reload), shown on screen as if saved, and replayed in order when they
 * can be sent, each with the Idempotency-Key or If-Match it was made with.
 *
 * `withOutbox` wraps the API client: a write goes to the network unless it cannot
 * (offline, or earlier writes still waiting: order is kept), and a write that fails
 * because the browser went offline or the session ended joins the outbox instead of
 * failing. Lists read from the server get the waiting writes laid over them, so a
 * refetch never hides them. `sendWrite` sends one write, live or replayed, so both
 * follow one version chain.
 */
import { ApiError, newIdempotencyKey, SessionExpiredError, SIGN_IN_UNREACHABLE, type ApiClient } from "../api/client";
import type { NewTodo, Todo, TodoPage, TodoPatch } from "../api/types";
import { placeholder } from "../api/todoPages";
import { isNetworkError, isOffline, reaching } from "./network";
import { local } from "../webStorage";
import { outboxExpired } from "./storage";

export type QueuedWrite =
  | { key: string; kind: "create"; input: NewTodo; tempId: string }
  | { key: string; kind: "update"; id: string; patch: TodoPatch; ifMatch?: number; title: string }
  | { key: string; kind: "delete"; id: string; title: string }
  | { key: string; kind: "restore"; id: string; title: string }
  | { key: string; kind: "setAll"; completed: boolean };

/** A replayed write the server refused with 412: the user chooses. */
export interface Conflict {
  write: Extract<QueuedWrite, { kind: "update" }>;
  server: Todo;
}

export interface OutboxState {
  writes: QueuedWrite[];
  conflict: Conflict | null;
}

const EMPTY: OutboxState = { writes: [], conflict: null };

/** The outbox in localStorage, shared by this user's tabs (`storage` events keep them in step). */
export class Outbox {
  private listeners = new Set<() => void>();
  private state: OutboxState;

  constructor(readonly storageKey: string) {
    this.state = this.read();
    if (typeof window !== "undefined") {
      window.addEventListener("storage", (event) => {
        if (event.key === this.storageKey) {
          this.state = this.read();
          this.emit();
        }
      });
    }
  }

  get current(): OutboxState {
    return this.state;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  add(write: QueuedWrite): void {
    this.update((state) => ({ ...state, writes: [...state.writes, write] }));
  }

  remove(key: string): void {
    this.update((state) => ({ ...state, writes: state.writes.filter((w) => w.key !== key) }));
  }

  replace(key: string, write: QueuedWrite): void {
    this.update((state) => ({ ...state, writes: state.writes.map((w) => (w.key === key ? write : w)) }));
  }

  setConflict(conflict: Conflict | null): void {
    this.update((state) => ({ ...state, conflict }));
  }

  /** The user's answer to a conflict: send theirs over the server's version, or take the server's. */
  resolve(keep: "mine" | "theirs"): void {
    this.update(({ writes, conflict }) => {
      if (!conflict) return { writes, conflict };
      const { write, server } = conflict;
      return {
        conflict: null,
        writes:
          keep === "theirs"
            ? writes.filter((w) => w.key !== write.key)
            : writes.map((w) => (w.key === write.key ? { ...write, ifMatch: server.version } : w)),
      };
    });
  }

  private update(fn: (state: OutboxState) => OutboxState): void {
    // Re-read first: another tab may have changed it.
    this.state = fn(this.read());
    // Storage blocked or full: the outbox lasts as long as this tab.
    if (this.state.writes.length || this.state.conflict) {
      // Stamped, so that what waits too long is discarded (storage.ts: OUTBOX_MAX_AGE_DAYS).
      local.setJson(this.storageKey, { ...this.state, changedAt: Date.now() });
    } else {
      local.remove(this.storageKey);
    }
    this.emit();
  }

  private read(): OutboxState {
    // Unreadable storage: what this tab has in memory.
    const stored = local.getJson<OutboxState & { changedAt?: number }>(this.storageKey, this.state ?? EMPTY);
    if (!stored || !Array.isArray(stored.writes) || outboxExpired(stored.changedAt)) return EMPTY;
    return { writes: stored.writes, conflict: stored.conflict ?? null };
  }

  private emit(): void {
    this.listeners.forEach((listener) => listener());
  }
}

/**
 * The versions this tab's own writes produced, live or replayed, so its successive
 * edits of a todo are not mistaken for conflicts. Every write adds exactly 1: an edit
 * begun at 3 is still current at 5 if this tab made 4 and 5 itself; anyone else's write
 * in between breaks the chain and the server answers 412.
 */
export class VersionChain {
  private own = new Map<string, Set<number>>();

  /** Notes that this tab's write left todo `id` at `version`. */
  record(id: string, version: number): void {
    const versions = this.own.get(id) ?? new Set<number>();
    versions.add(version);
    this.own.set(id, versions);
  }

  /** The version an edit begun at `base` may claim in If-Match. */
  latest(id: string, base: number): number {
    const versions = this.own.get(id);
    let version = base;
    while (versions?.has(version + 1)) version += 1;
    return version;
  }
}

/** Sends one write (live or replayed); a content edit claims the latest version of the chain. */
export async function sendWrite(api: ApiClient, versions: VersionChain, write: QueuedWrite): Promise<unknown> {
  switch (write.kind) {
    case "create":
      return api.createTodo(write.input, write.key);
    case "delete":
      return api.deleteTodo(write.id);
    case "restore":
      return api.restoreTodo(write.id);
    case "setAll":
      return api.setAllCompleted(write.completed);
    case "update": {
      const version = write.ifMatch === undefined ? undefined : versions.latest(write.id, write.ifMatch);
      const saved = await api.updateTodo(write.id, write.patch, version);
      versions.record(saved.id, saved.version);
      return saved;
    }
  }
}

/**
 * The write cannot be sent now but may be later: the connection dropped, the token could
 * not be refreshed (Cognito not reached), or the user's session has ended (it waits for
 * that same user to sign in again; the client never sends anyone else's token).
 */
function mustWait(write: QueuedWrite, error: unknown): boolean {
  if (error instanceof ApiError && error.code === SIGN_IN_UNREACHABLE) return true;
  if (isNetworkError(error) && isOffline()) return true;
  // An add refused for lack of a session goes back to the user's box instead (useCreateTodo).
  return error instanceof SessionExpiredError && write.kind !== "create";
}


/** The page as it will be once the waiting writes are saved. */
export function overlay(page: TodoPage, writes: readonly QueuedWrite[]): TodoPage {
  let todos = page.todos;
  for (const write of writes) {
    if (write.kind === "update") {
      todos = todos.map((t) => (t.id === write.id ? { ...t, ...write.patch } : t));
    } else if (write.kind === "delete") {
      todos = todos.filter((t) => t.id !== write.id);
    } else if (write.kind === "setAll") {
      todos = todos.map((t) => ({ ...t, completed: write.completed }));
    } else if (write.kind === "create" && page.next === null && !todos.some((t) => t.id === write.tempId)) {
      todos = [...todos, placeholder(write.tempId, write.input)];
    }
  }
  return { ...page, todos };
}

/**
 * The API client with the outbox in front of its writes.
 * @param cached the todo as this tab shows it (what an offline update answers with)
 */
export function withOutbox(api: ApiClient, outbox: Outbox, cached: (id: string) => Todo | undefined, versions: VersionChain): ApiClient {
  /**
   * Sends now, or queues when offline or when earlier writes are still waiting. A network
   * error while the browser says it is online is left to the caller's retries (and,
   * failing those, reported).
   */
  async function write<T>(queued: QueuedWrite, answerOffline: () => T): Promise<T> {
    if (isOffline() || outbox.current.writes.length > 0) {
      outbox.add(queued);
      return answerOffline();
    }
    try {
      return (await reaching(() => sendWrite(api, versions, queued))) as T;
    } catch (error) {
      if (!mustWait(queued, error)) throw error;
      outbox.add(queued);
      return answerOffline();
    }
  }

  return {
    ...api,
    async listTodos(pageUrl) {
      return overlay(await reaching(() => api.listTodos(pageUrl)), outbox.current.writes);
    },
    createTodo(input, idempotencyKey) {
      const tempId = `temp-${idempotencyKey}`;
      return write(
        { key: idempotencyKey, kind: "create", input, tempId },
        // Shown dimmed, its controls waiting, until it is saved (its id says so).
        () => placeholder(tempId, input),
      );
    },
    updateTodo(id, patch, version) {
      const todo = cached(id);
      const queued: QueuedWrite = { key: newIdempotencyKey(), kind: "update", id, patch, title: todo?.title ?? "" };
      if (version !== undefined) queued.ifMatch = version;
      return write(
        queued,
        // What the screen shows already; the version moves when the server has it.
        () => ({ ...(todo as Todo), ...patch }),
      );
    },
    deleteTodo(id) {
      const title = cached(id)?.title ?? "";
      return write({ key: newIdempotencyKey(), kind: "delete", id, title }, () => undefined);
    },
    restoreTodo(id) {
      // Undo of a delete still waiting here: it never reached the server, so drop it.
      const waiting = outbox.current.writes.find((w) => w.kind === "delete" && w.id === id);
      if (waiting) return Promise.resolve(outbox.remove(waiting.key));
      return write({ key: newIdempotencyKey(), kind: "restore", id, title: cached(id)?.title ?? "" }, () => undefined);
    },
    setAllCompleted(completed) {
      return write({ key: newIdempotencyKey(), kind: "setAll", completed }, () => undefined);
    },
  };
}
