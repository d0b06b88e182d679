/**
 * What every write to the todo list shares: the API client, one queue so writes reach
 * the server in the order the user made them, the versions this tab's own writes
 * produced (so its quick successive edits are not mistaken for conflicts), and the
 * writes to replay once the user signs in again after their session ended.
 */
import { createContext, useContext, useEffect, useMemo, type ReactNode } from "react";
import type { ApiClient } from "../api/client";

export interface TodoWrites {
  api: ApiClient;
  /** Runs `task` after every write enqueued before it has finished (whatever its outcome). */
  enqueue: <T>(task: () => Promise<T>) => Promise<T>;
  /** Notes that this tab's write left todo `id` at `version`. */
  recordOwnWrite: (id: string, version: number) => void;
  /**
   * The version an edit begun at `base` may claim in If-Match: every write adds exactly
   * 1, so an edit begun at 3 is still current at 5 if this tab made 4 and 5 itself; anyone
   * else's write in between breaks the chain and the server answers 412.
   */
  ownLatest: (id: string, base: number) => number;
  /** Replays `write` after the next sign-in (it failed because the session ended). */
  replayAfterSignIn: (write: () => void) => void;
}

function createTodoWrites(api: ApiClient): TodoWrites & { replays: (() => void)[] } {
  let tail: Promise<unknown> = Promise.resolve();
  const own = new Map<string, Set<number>>();
  const replays: (() => void)[] = [];
  return {
    api,
    replays,
    enqueue<T>(task: () => Promise<T>) {
      const run = tail.then(task, task);
      tail = run.catch(() => undefined);
      return run;
    },
    recordOwnWrite(id, version) {
      const versions = own.get(id) ?? new Set<number>();
      versions.add(version);
      own.set(id, versions);
    },
    ownLatest(id, base) {
      const versions = own.get(id);
      let version = base;
      while (versions?.has(version + 1)) version += 1;
      return version;
    },
    replayAfterSignIn(write) {
      replays.push(write);
    },
  };
}

const TodoWritesContext = createContext<TodoWrites | null>(null);

/**
 * @param sessionEpoch changes each time the user signs in again after their session
 *   ended; writes that failed for lack of a session are replayed then.
 */
export function TodoWritesProvider({ api, sessionEpoch, children }: { api: ApiClient; sessionEpoch: number; children: ReactNode }) {
  const writes = useMemo(() => createTodoWrites(api), [api]);

  useEffect(() => {
    writes.replays.splice(0).forEach((replay) => replay());
  }, [sessionEpoch, writes]);

  return <TodoWritesContext.Provider value={writes}>{children}</TodoWritesContext.Provider>;
}

export function useTodoWrites(): TodoWrites {
  const value = useContext(TodoWritesContext);
  if (!value) throw new Error("useTodoWrites needs a TodoWritesProvider");
  return value;
}
