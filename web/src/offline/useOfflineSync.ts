/**
 * The offline layer's wiring for a signed-in user:
 * - the API client with the outbox in front of its writes (outbox.ts);
 * - the list as last synced, kept in sessionStorage (like the session, it goes with
 *   the tab) and shown at start: offline it is what there is, online it shows at once
 *   and is refreshed;
 * - replaying the outbox on reconnect (replay.ts), one tab at a time (Web Locks), and
 *   only while this user's session is live: paused while it has ended, resumed when
 *   the same user signs in again (the client refuses anyone else's token);
 * - at sign-in, discarding outboxes past their age limit and saying (without showing
 *   them) that another account has changes waiting on this device;
 * - other tabs told of every saved change (BroadcastChannel), so they refetch.
 */
import type { QueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import type { ApiClient } from "../api/client";
import { TODOS_KEY, findTodo, type TodoPages } from "../api/todoPages";
import { Outbox, VersionChain, withOutbox, type Conflict } from "./outbox";
import { isOffline, subscribeNetwork } from "./network";
import { session } from "../webStorage";
import { cacheKey, OUTBOX_MAX_AGE_DAYS, outboxKey, sweepOutboxes } from "./storage";

const CHANNEL = "todos";
const RETRY_MS = 20_000;

export type SyncState = "offline" | "syncing" | "waiting" | "saved";

export interface OfflineSync {
  /** The user's API client with the outbox in front of its writes. */
  api: ApiClient;
  /** The versions this tab's own writes produced (see VersionChain). */
  versions: VersionChain;
  state: SyncState;
  waiting: number;
  conflict: Conflict | null;
  resolve: (keep: "mine" | "theirs") => void;
}

function useOnline(): boolean {
  return !useSyncExternalStore(subscribeNetwork, isOffline);
}

/**
 * @param api the API client of `user` (it sends only their token)
 * @param live false while the user's session has ended: nothing is replayed then
 */
export function useOfflineSync(
  api: ApiClient,
  user: string,
  queryClient: QueryClient,
  report: (message: string) => void,
  live = true,
): OfflineSync {
  const outbox = useMemo(() => new Outbox(outboxKey(user)), [user]);
  // One chain per user (the app is remounted for another user).
  const [versions] = useState(() => new VersionChain());
  const state = useSyncExternalStore(outbox.subscribe, () => outbox.current);
  const online = useOnline();
  const [syncing, setSyncing] = useState(false);
  const channel = useRef<BroadcastChannel | null>(null);
  const tellOtherTabs = useCallback(() => channel.current?.postMessage({ user, type: "changed" }), [user]);

  const refetch = useCallback(() => {
    // Not while this tab's own writes are on their way: they would be shown undone for a moment.
    if (queryClient.isMutating() === 0) void queryClient.invalidateQueries({ queryKey: TODOS_KEY });
  }, [queryClient]);

  const wrapped = useMemo(() => {
    const saved = withOutbox(api, outbox, (id) => findTodo(queryClient.getQueryData<TodoPages>(TODOS_KEY), id), versions);
    const told = <A extends unknown[], R>(write: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        const result = await write(...args);
        tellOtherTabs();
        return result;
      };
    return {
      ...saved,
      createTodo: told(saved.createTodo),
      updateTodo: told(saved.updateTodo),
      deleteTodo: told(saved.deleteTodo),
      restoreTodo: told(saved.restoreTodo),
      setAllCompleted: told(saved.setAllCompleted),
    };
  }, [api, outbox, queryClient, tellOtherTabs, versions]);

  // At sign-in: what waited too long goes; other accounts' waiting changes are mentioned, never shown.
  useEffect(() => {
    const { discarded, othersWaiting } = sweepOutboxes(user);
    if (discarded > 0) {
      report(`${discarded} ${discarded === 1 ? "change" : "changes"} you made offline more than ${OUTBOX_MAX_AGE_DAYS} days ago couldn't be sent and ${discarded === 1 ? "was" : "were"} discarded.`);
    }
    if (othersWaiting) {
      report(`Another account has unsent changes on this device. They are kept for that account (for up to ${OUTBOX_MAX_AGE_DAYS} days) and are not shown here.`);
    }
  }, [user, report]);

  // Another tab saved something: show it here too.
  useEffect(() => {
    if (typeof BroadcastChannel === "undefined") return;
    const opened = new BroadcastChannel(CHANNEL);
    opened.addEventListener("message", (event: MessageEvent<{ user: string; type: string }>) => {
      if (event.data.user === user) refetch();
    });
    channel.current = opened;
    return () => {
      channel.current = null;
      opened.close();
    };
  }, [user, refetch]);

  // The list as last synced, shown at once (and the only copy while offline).
  useEffect(() => {
    // Nothing usable stored: the list loads as usual.
    const stored = queryClient.getQueryData(TODOS_KEY) ? null : session.getJson<TodoPages>(cacheKey(user));
    if (stored) queryClient.setQueryData(TODOS_KEY, stored, { updatedAt: 0 });
    // Written at every change, not later: a reload right after a change must find it.
    return queryClient.getQueryCache().subscribe((event) => {
      if (event.query.queryHash !== JSON.stringify(TODOS_KEY) || event.type !== "updated") return;
      const data = queryClient.getQueryData<TodoPages>(TODOS_KEY);
      // Full or blocked: the next successful load is still shown online.
      if (data) session.setJson(cacheKey(user), data);
    });
  }, [queryClient, user]);

  const replay = useCallback(async () => {
    if (!live || !navigator.onLine || outbox.current.writes.length === 0 || outbox.current.conflict) return;
    const run = async () => {
      setSyncing(true);
      try {
        // Loaded when first needed: most sessions never replay anything.
        const { replayOutbox } = await import("./replay");
        const result = await replayOutbox(api, outbox, versions, report);
        if (result === "done") {
          refetch();
          tellOtherTabs();
        }
      } finally {
        setSyncing(false);
      }
    };
    // One tab replays at a time; the others see the outbox empty through `storage` events.
    if (navigator.locks) await navigator.locks.request(`todos-replay:${user}`, { ifAvailable: true }, (lock) => (lock ? run() : undefined));
    else await run();
  }, [api, outbox, versions, report, refetch, tellOtherTabs, user, live]);

  // Replay on start, on reconnect, after a conflict is resolved, after signing in again,
  // and now and then while writes wait.
  const waiting = state.writes.length;
  const hasWaiting = waiting > 0;
  // While the API is unreachable but the device has a network, this is also what finds
  // out that it is back (replay returns at once while the device itself is offline).
  useEffect(() => {
    if (!live || !hasWaiting || state.conflict) return;
    void replay();
    const timer = setInterval(() => void replay(), RETRY_MS);
    return () => clearInterval(timer);
  }, [live, online, hasWaiting, state.conflict, replay]);

  const resolve = useCallback(
    (keep: "mine" | "theirs") => {
      outbox.resolve(keep);
      if (keep === "theirs") refetch();
    },
    [outbox, refetch],
  );

  const syncState: SyncState = !online ? "offline" : syncing ? "syncing" : waiting > 0 ? "waiting" : "saved";
  return { api: wrapped, versions, state: syncState, waiting, conflict: state.conflict, resolve };
}
