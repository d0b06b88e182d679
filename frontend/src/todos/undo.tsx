/**
 * Undo for deletes (one todo, or "Clear completed").
 *
 * A delete is deferred, not undone after the fact: the todos leave the screen at once,
 * the server is told only when the Undo toast expires. A deleted todo cannot be
 * re-created with its id, its version and its place, so deferring is the only undo
 * that loses nothing. Pending deletes are kept in localStorage (per user), so closing
 * the tab loses nothing either: the next load shows the toast again for the time left,
 * or sends the delete if the time is up. Sign-out sends them first (flushPendingWrites),
 * so no todo text stays in the browser after it.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { Todo } from "../api/types";
import { onFlush } from "../offline/storage";

export const UNDO_MS = 6000;
/** After the pointer or focus leaves the toast, this long again before it goes. */
const AFTER_HOLD_MS = 3000;

export interface PendingDelete {
  /** This delete's own id (one delete can take several todos). */
  key: string;
  todos: Todo[];
  /** What the toast says, e.g. `Deleted “Buy milk”`. */
  label: string;
  /** When the delete is sent (epoch ms). */
  until: number;
}

function read(storageKey: string): PendingDelete[] {
  try {
    const stored = JSON.parse(localStorage.getItem(storageKey) ?? "[]") as unknown;
    return Array.isArray(stored) ? (stored as PendingDelete[]) : [];
  } catch {
    return [];
  }
}

function write(storageKey: string, pending: PendingDelete[]): void {
  try {
    if (pending.length) localStorage.setItem(storageKey, JSON.stringify(pending));
    else localStorage.removeItem(storageKey);
  } catch {
    // Storage blocked: the undo still works while this tab is open.
  }
}


export interface PendingDeletes {
  /** The latest pending delete: what the toast offers to undo. */
  latest: PendingDelete | null;
  /** Ids of todos that are on their way out (hidden from the list). */
  hidden: ReadonlySet<string>;
  /** Hides `todos` now and deletes them when the undo time is up. */
  schedule: (todos: Todo[], label: string) => void;
  undo: (key: string) => void;
  /** While the user is on the toast (pointer or focus), it stays. */
  hold: (key: string, holding: boolean) => void;
}

/**
 * @param storageKey where this user's pending deletes are kept
 * @param commit really deletes (the list's remove action, which goes through the write queue)
 */
export function usePendingDeletes(storageKey: string, commit: (todos: Todo[]) => void, undoMs = UNDO_MS): PendingDeletes {
  const [pending, setPending] = useState<PendingDelete[]>(() => read(storageKey));
  const [held, setHeld] = useState<string | null>(null);
  // The pending deletes as of the last change, for the callbacks (they must not
  // commit inside a state updater, which React may run twice).
  const pendingRef = useRef(pending);
  const commitRef = useRef(commit);
  useEffect(() => {
    commitRef.current = commit;
  }, [commit]);

  const replace = useCallback(
    (next: PendingDelete[]) => {
      pendingRef.current = next;
      setPending(next);
      write(storageKey, next);
    },
    [storageKey],
  );

  const send = useCallback(
    (keys: ReadonlySet<string> | "all") => {
      const due = pendingRef.current.filter((p) => keys === "all" || keys.has(p.key));
      if (due.length === 0) return;
      replace(pendingRef.current.filter((p) => !due.includes(p)));
      commitRef.current(due.flatMap((p) => p.todos));
    },
    [replace],
  );

  // Each pending delete is sent when its time is up (unless the user holds the toast).
  useEffect(() => {
    const timers = pending
      .filter((p) => p.key !== held)
      .map((p) => setTimeout(() => send(new Set([p.key])), Math.max(0, p.until - Date.now())));
    return () => timers.forEach(clearTimeout);
  }, [pending, held, send]);

  useEffect(() => onFlush(() => send("all")), [send]);

  const schedule = useCallback(
    (todos: Todo[], label: string) => {
      if (todos.length === 0) return;
      // One toast at a time: an older pending delete is sent now.
      send("all");
      const key = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
      replace([...pendingRef.current, { key, todos, label, until: Date.now() + undoMs }]);
    },
    [send, replace, undoMs],
  );

  const undo = useCallback(
    (key: string) => replace(pendingRef.current.filter((p) => p.key !== key)),
    [replace],
  );

  const hold = useCallback(
    (key: string, holding: boolean) => {
      setHeld(holding ? key : null);
      if (!holding) {
        const until = Date.now() + AFTER_HOLD_MS;
        replace(pendingRef.current.map((p) => (p.key === key ? { ...p, until: Math.max(p.until, until) } : p)));
      }
    },
    [replace],
  );

  const hidden = useMemo(() => new Set(pending.flatMap((p) => p.todos.map((t) => t.id))), [pending]);
  const latest = pending[pending.length - 1] ?? null;
  return { latest, hidden, schedule, undo, hold };
}

/** `Deleted “Buy milk”` / `Cleared 3 completed todos`. */
export function deletedLabel(todos: readonly Todo[], cleared: boolean): string {
  const [first] = todos;
  if (!cleared && first) return `Deleted “${first.title.length > 40 ? `${first.title.slice(0, 40)}…` : first.title}”`;
  return `Cleared ${todos.length} completed ${todos.length === 1 ? "todo" : "todos"}`;
}

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

/**
 * The toast: "Deleted “X”  [Undo]". Announced politely (the region is always there),
 * reachable with Tab (it follows the list) and with Ctrl+Z / ⌘Z outside text fields;
 * it stays while the pointer or focus is on it.
 */
export function UndoToast({ deletes }: { deletes: PendingDeletes }) {
  const { latest, undo, hold } = deletes;
  useEffect(() => {
    if (!latest) return;
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z" && !isTyping(event.target)) {
        event.preventDefault();
        undo(latest.key);
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [latest, undo]);

  return (
    <div role="status" className="pointer-events-none fixed inset-x-0 bottom-4 z-40 flex justify-center px-4">
      {latest ? (
        <div
          className="pointer-events-auto flex w-full max-w-md items-center gap-3 rounded-xl bg-slate-900 py-2 pr-2 pl-4 text-sm text-white shadow-lg dark:bg-slate-100 dark:text-slate-900"
          onMouseEnter={() => hold(latest.key, true)}
          onMouseLeave={() => hold(latest.key, false)}
          onFocus={() => hold(latest.key, true)}
          onBlur={() => hold(latest.key, false)}
        >
          <p className="flex-1">{latest.label}.</p>
          <button
            type="button"
            onClick={() => undo(latest.key)}
            aria-keyshortcuts="Control+Z Meta+Z"
            className="min-h-9 rounded-lg px-3 font-semibold text-indigo-200 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-300 dark:text-indigo-800 dark:focus-visible:outline-indigo-600"
          >
            Undo
          </button>
        </div>
      ) : null}
    </div>
  );
}
