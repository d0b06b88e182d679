/**
 * Where the offline layer keeps a user's data in localStorage. Small on purpose: the
 * sign-out path needs it, the rest of the offline layer loads with the todo list.
 */
export function outboxKey(user: string): string {
  return `todos:outbox:${user}`;
}

export function cacheKey(user: string): string {
  return `todos:cache:${user}`;
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
    localStorage.removeItem(cacheKey(user));
    localStorage.removeItem(outboxKey(user));
  } catch {
    // Storage blocked: nothing was stored.
  }
}
