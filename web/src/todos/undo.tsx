/**
 * Undo for deletes (one todo, or "Clear completed").
 *
 * A delete is sent when the user makes it, so every device sees it at once. The server
 * keeps a deleted todo restorable for a while (POST /todos/{id}/restore brings it back
 * with its id, version and place), so Undo restores rather than holding the delete back:
 * nothing waits on this device, nothing is kept in storage, and sign-out has nothing
 * to send.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { Todo } from "../api/types";

export const UNDO_MS = 6000;
/** After the pointer or focus leaves the toast, this long again before it goes. */
const AFTER_HOLD_MS = 3000;

export interface DeletedTodos {
  /** This delete's own id (one delete can take several todos). */
  key: string;
  todos: Todo[];
  /** What the toast says, e.g. `Deleted “Buy milk”`. */
  label: string;
  /** When the toast goes (epoch ms). */
  until: number;
}

export interface UndoDeletes {
  /** The latest delete: what the toast offers to undo. */
  latest: DeletedTodos | null;
  /** Offers to undo the delete of `todos` (already sent) for a while. */
  offer: (todos: Todo[], label: string) => void;
  undo: (key: string) => void;
  /** While the user is on the toast (pointer or focus), it stays. */
  hold: (key: string, holding: boolean) => void;
}

/** @param restore brings deleted todos back (the list's restore action, which goes through the write queue) */
export function useUndoDeletes(restore: (todos: Todo[]) => void, undoMs = UNDO_MS): UndoDeletes {
  const [latest, setLatest] = useState<DeletedTodos | null>(null);
  const [held, setHeld] = useState(false);
  // The toast as of the last change, for the callbacks (they must not restore inside
  // a state updater, which React may run twice).
  const latestRef = useRef(latest);
  const restoreRef = useRef(restore);
  useEffect(() => {
    restoreRef.current = restore;
  }, [restore]);

  const show = useCallback((next: DeletedTodos | null) => {
    latestRef.current = next;
    setLatest(next);
  }, []);

  // The toast goes when its time is up (unless the user holds it); the delete stays.
  useEffect(() => {
    if (!latest || held) return;
    const timer = setTimeout(() => show(null), Math.max(0, latest.until - Date.now()));
    return () => clearTimeout(timer);
  }, [latest, held, show]);

  const offer = useCallback(
    (todos: Todo[], label: string) => {
      if (todos.length === 0) return;
      // One toast at a time: an older delete simply stays done.
      const key = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
      setHeld(false);
      show({ key, todos, label, until: Date.now() + undoMs });
    },
    [show, undoMs],
  );

  const undo = useCallback(
    (key: string) => {
      const current = latestRef.current;
      if (current?.key !== key) return;
      show(null);
      restoreRef.current(current.todos);
    },
    [show],
  );

  const hold = useCallback(
    (key: string, holding: boolean) => {
      const current = latestRef.current;
      if (current?.key !== key) return;
      setHeld(holding);
      if (!holding) show({ ...current, until: Math.max(current.until, Date.now() + AFTER_HOLD_MS) });
    },
    [show],
  );

  return { latest, offer, undo, hold };
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
export function UndoToast({ deletes }: { deletes: UndoDeletes }) {
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
