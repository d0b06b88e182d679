/**
 * Where the offline layer keeps a user's data. Small on purpose: the sign-out path
 * needs it, the rest of the offline layer loads with the todo list.
 *
 * The outbox is in localStorage: its writes are changes the user made,
 * and must outlive a closed tab (the session does not: they are sent after the next
 * sign-in). The last synced list is only a copy, so it lives in sessionStorage and
 * goes with the tab, like the tokens.
 */
import { local, session } from "../webStorage";

const OUTBOX_PREFIX = "todos:outbox:";

export function outboxKey(user: string): string {
  return `${OUTBOX_PREFIX}${user}`;
}

/**
 * How long changes made offline wait on this device for their user to come back: 7 days
 * after the last of them was made. Past that they are discarded, so a closed tab's
 * changes do not stay on a shared computer for good.
 */
export const OUTBOX_MAX_AGE_DAYS = 7;
const OUTBOX_MAX_AGE_MS = OUTBOX_MAX_AGE_DAYS * 24 * 3600 * 1000;

/** An outbox last changed at `changedAt` (ms) is too old to send at `now`. */
export function outboxExpired(changedAt: unknown, now = Date.now()): boolean {
  return typeof changedAt === "number" && now - changedAt > OUTBOX_MAX_AGE_MS;
}

export interface OutboxSweep {
  /** How many of the signed-in user's own changes were discarded for their age. */
  discarded: number;
  /** Another account has changes waiting on this device (never shown: only that they exist). */
  othersWaiting: boolean;
}

/** Discards every account's outbox past the age limit, and says what is left for others (at sign-in). */
export function sweepOutboxes(user: string, now = Date.now()): OutboxSweep {
  const result: OutboxSweep = { discarded: 0, othersWaiting: false };
  for (const key of local.keys(OUTBOX_PREFIX)) {
    const stored = local.getJson<{ writes?: unknown[]; changedAt?: unknown }>(key);
    const count = stored?.writes?.length ?? 0;
    if (stored && stored.changedAt === undefined) {
      // Kept before outboxes had an age: their age counts from now.
      local.setJson(key, { ...stored, changedAt: now });
    } else if (outboxExpired(stored?.changedAt, now)) {
      local.remove(key);
      if (key === outboxKey(user)) result.discarded = count;
      continue;
    }
    if (key !== outboxKey(user) && count > 0) result.othersWaiting = true;
  }
  return result;
}

export function cacheKey(user: string): string {
  return `todos:cache:${user}`;
}

/** Deletes that waited out their Undo toast on the device, before deletes were sent at once. */
function pendingDeletesKey(user: string): string {
  return `todos:pending-deletes:${user}`;
}

/** Changes made offline that are not saved yet (what signing out now would discard). */
export function waitingChanges(user: string): number {
  return local.getJson<{ writes?: unknown[] }>(outboxKey(user))?.writes?.length ?? 0;
}

/** Forgets this user's offline data (at sign-out: nothing of theirs stays in the browser). */
export function clearOfflineData(user: string): void {
  session.remove(cacheKey(user));
  local.remove(outboxKey(user));
  local.remove(pendingDeletesKey(user));
}
