import { useMutation } from "@tanstack/react-query";
import { useNotices } from "../../ui/notices";
import type { TodoPages } from "../cache";
import { errorDetail } from "../messages";
import { useTodoCache } from "../useTodoCache";
import { IN_ORDER } from "../writes";
import { useSyncVersions } from "./useSyncVersions";

/**
 * A write to the whole list (mark all, clear completed): shown at once, then the whole
 * list is rolled back to the snapshot if the server refuses. `what` names it in the error.
 * Every todo gets a new version: they are learnt before the next queued write needs one.
 */
export function useBulkWrite<Arg>(send: (arg: Arg) => Promise<void>, what: string) {
  const cache = useTodoCache();
  const syncVersions = useSyncVersions();
  const { report } = useNotices();
  const mutation = useMutation({
    ...IN_ORDER,
    mutationFn: async ({ arg }: { arg: Arg; snapshot: TodoPages | undefined }) => {
      await send(arg);
      // The list can't be read when the write is waiting in the outbox (offline, or the
      // session has ended): its versions are learnt when the list is read again.
      await syncVersions().catch(() => undefined);
    },
    onError: (error, variables) => {
      if (variables.snapshot) cache.write(() => variables.snapshot);
      report(`Couldn't ${what}. ${errorDetail(error)}`);
    },
    onSettled: cache.refreshWhenIdle,
  });

  /** Applies `change` to the screen at once and sends the write with `arg`. */
  return (arg: Arg, change: (data: TodoPages | undefined) => TodoPages | undefined) => {
    const snapshot = cache.read();
    cache.optimistic(change);
    mutation.mutate({ arg, snapshot });
  };
}
