/** Reading and changing the cached todo list (TanStack Query), for the write hooks. */
import { useQueryClient } from "@tanstack/react-query";
import { useMemo } from "react";
import { TODOS_KEY, type TodoPages } from "./cache";

type Change = (data: TodoPages | undefined) => TodoPages | undefined;

export function useTodoCache() {
  const queryClient = useQueryClient();
  return useMemo(
    () => ({
      read: () => queryClient.getQueryData<TodoPages>(TODOS_KEY),
      write: (change: Change) => queryClient.setQueryData<TodoPages>(TODOS_KEY, change),
      /**
       * Shows a change at once, inside the user's event, so the screen never lags the click.
       * A list fetch already on its way would carry older data: it is cancelled first, which
       * (synchronously) puts back the state from before it started; then the change applies.
       */
      optimistic: (change: Change) => {
        void queryClient.cancelQueries({ queryKey: TODOS_KEY });
        queryClient.setQueryData<TodoPages>(TODOS_KEY, change);
      },
      /** Re-reads the list (the server has changed it in a way this tab cannot predict). */
      invalidate: () => void queryClient.invalidateQueries({ queryKey: TODOS_KEY }),
      /** Re-reads the list once the last write has finished, so the cache ends up exactly as the server has it. */
      refreshWhenIdle: () => {
        // The calling mutation still counts as running while its onSettled runs.
        if (queryClient.isMutating() <= 1) void queryClient.invalidateQueries({ queryKey: TODOS_KEY });
      },
    }),
    [queryClient],
  );
}
