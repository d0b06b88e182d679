/**
 * Writes made offline: kept in an outbox in localStorage (per user, so they survive a
 * reload), shown on screen as if saved, and replayed in order when the connection is
 * back, each with the Idempotency-Key or If-Match it was made with.
 *
 * `withOutbox` wraps the API client: a write goes to the network unless it cannot
 * (offline, or earlier writes still waiting: order is kept), and a write that fails
 * because the browser went offline joins the outbox instead of failing. Lists read from the
 * server get the waiting writes laid over them, so a refetch never hides them.
 */
import { ApiError, newIdempotencyKey, SIGN_IN_UNREACHABLE, type ApiClient } from "../api/client";
import type { NewTodo, Todo, TodoPage, TodoPatch } from "../api/types";
import { placeholder } from "../todos/cache";
import { isNetworkError, isOffline, reaching } from "./network";
import { outboxExpired } from "./storage";

export type QueuedWrite =
  | { key: string; kind: "create"; input: NewTodo; tempId: string }
  | { key: string; kind: "update"; id: string; patch: TodoPatch; ifMatch?: number; title: string }
  | { key: string; kind: "delete"; id: string; title: string }
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
    try {
      if (this.state.writes.length || this.state.conflict) {
        // Stamped, so that what waits too long is discarded (storage.ts: OUTBOX_MAX_AGE_DAYS).
        localStorage.setItem(this.storageKey, JSON.stringify({ ...this.state, changedAt: Date.now() }));
      } else {
        localStorage.removeItem(this.storageKey);
      }
    } catch {
      // Storage blocked or full: the outbox lasts as long as this tab.
    }
    this.emit();
  }

  private read(): OutboxState {
    try {
      const stored = JSON.parse(localStorage.getItem(this.storageKey) ?? "null") as (OutboxState & { changedAt?: number }) | null;
      if (!stored || !Array.isArray(stored.writes) || outboxExpired(stored.changedAt)) return EMPTY;
      return { writes: stored.writes, conflict: stored.conflict ?? null };
    } catch {
      return this.state ?? EMPTY;
    }
  }

  private emit(): void {
    this.listeners.forEach((listener) => listener());
  }
}

/** The write never left: the token could not be refreshed (Cognito not reached), so it waits like an offline one. */
function signInUnreachable(error: unknown): boolean {
  return error instanceof ApiError && error.code === SIGN_IN_UNREACHABLE;
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
    } else if (page.next === null && !todos.some((t) => t.id === write.tempId)) {
      todos = [...todos, placeholder(write.tempId, write.input)];
    }
  }
  return { ...page, todos };
}

/**
 * The API client with the outbox in front of its writes.
 * @param cached the todo as this tab shows it (what an offline update answers with)
 */
export function withOutbox(api: ApiClient, outbox: Outbox, cached: (id: string) => Todo | undefined): ApiClient {
  /** Sends now, or queues when offline or when earlier writes are still waiting. */
  async function write<T>(queued: QueuedWrite, send: () => Promise<T>, answerOffline: () => T): Promise<T> {
    if (isOffline() || outbox.current.writes.length > 0) {
      outbox.add(queued);
      return answerOffline();
    }
    try {
      return await reaching(send);
    } catch (error) {
      // The connection dropped while this was on its way, or the sign-in service can't
      // be reached to refresh the token: keep it for the replay. A network error while
      // the browser says it is online is left to the caller's retries (and, failing
      // those, reported).
      if (!signInUnreachable(error) && !(isNetworkError(error) && isOffline())) throw error;
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
        () => api.createTodo(input, idempotencyKey),
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
        () => api.updateTodo(id, patch, version),
        // What the screen shows already; the version moves when the server has it.
        () => ({ ...(todo as Todo), ...patch }),
      );
    },
    deleteTodo(id) {
      const title = cached(id)?.title ?? "";
      return write({ key: newIdempotencyKey(), kind: "delete", id, title }, () => api.deleteTodo(id), () => undefined);
    },
    setAllCompleted(completed) {
      return write({ key: newIdempotencyKey(), kind: "setAll", completed }, () => api.setAllCompleted(completed), () => undefined);
    },
  };
}
