/**
 * Where the offline layer keeps a user's data. Small on purpose: the sign-out path
 * needs it, the rest of the offline layer loads with the todo list.
 *
 * The outbox and pending deletes are in localStorage: they are changes the user made,
 * and must outlive a closed tab (the session does not: they are sent after the next
 * sign-in). The last synced list is only a copy, so it lives in sessionStorage and
 * goes with the tab, like the tokens.
 */
export function outboxKey(user: string): string {
  return `todos:outbox:${user}`;
}

export function cacheKey(user: string): string {
  return `todos:cache:${user}`;
}

/** Deletes waiting out their Undo toast (todos/undo.tsx). */
export function pendingDeletesKey(user: string): string {
  return `todos:pending-deletes:${user}`;
}

/** Changes made offline that are not saved yet (what signing out now would discard). */
export function waitingChanges(user: string): number {
  try {
    const stored = JSON.parse(localStorage.getItem(outboxKey(user)) ?? "null") as { writes?: unknown[] } | null;
    return stored?.writes?.length ?? 0;
  } catch {
    return 0;
  }
}

/** Forgets this user's offline data (at sign-out: nothing of theirs stays in the browser). */
export function clearOfflineData(user: string): void {
  try {
    sessionStorage.removeItem(cacheKey(user));
    localStorage.removeItem(outboxKey(user));
    localStorage.removeItem(pendingDeletesKey(user));
  } catch {
    // Storage blocked: nothing was stored.
  }
}

const flushers = new Set<() => void>();

/** Registers what to send at once when the user signs out (pending deletes); returns the unregister. */
export function onFlush(flush: () => void): () => void {
  flushers.add(flush);
  return () => {
    flushers.delete(flush);
  };
}

/** Sends what is waiting (sign-out calls it while the session is still valid). */
export function flushPendingWrites(): void {
  flushers.forEach((flush) => flush());
}
