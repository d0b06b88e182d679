import { useMutation } from "@tanstack/react-query";
import { ApiError } from "../../api/client";
import type { Todo, TodoPatch } from "../../api/types";
import { useNotices } from "../../ui/notices";
import { applyPatch, findTodo, isTemporary, mapTodos } from "../cache";
import { describeFailedChange } from "../messages";
import { useTodoCache } from "../useTodoCache";
import { IN_ORDER, useTodoWrites } from "../writes";

/**
 * Content edits carry If-Match so one device cannot silently overwrite another's text.
 * Completing and reordering say what the user wants regardless of other edits, so they don't.
 */
function needsIfMatch(patch: TodoPatch): boolean {
  return ["title", "notes", "due", "priority"].some((field) => field in patch);
}

interface Update {
  id: string;
  patch: TodoPatch;
  /** The todo as it was before this change (to roll back to). */
  before: Todo;
  /** The version the user saw when they started this edit (for If-Match). */
  baseVersion?: number | undefined;
}

/** Changes fields of one todo: shown at once, rolled back with a message if the server refuses. */
export function useUpdateTodo() {
  const { api } = useTodoWrites();
  const cache = useTodoCache();
  const { report } = useNotices();
  const mutation = useMutation({
    ...IN_ORDER,
    // The client carries the version forward through this tab's own writes (VersionChain).
    mutationFn: ({ id, patch, baseVersion }: Update) =>
      api.updateTodo(id, patch, needsIfMatch(patch) ? (baseVersion ?? findTodo(cache.read(), id)?.version) : undefined),
    // Only the bookkeeping fields come from the answer: a later edit may already be showing.
    onSuccess: (saved) => {
      cache.write((data) =>
        mapTodos(data, (t) =>
          t.id === saved.id ? { ...t, version: saved.version, updated_at: saved.updated_at, completed_at: saved.completed_at } : t,
        ),
      );
    },
    onError: (error, variables) => {
      const { id, patch, before } = variables;
      const undo = Object.fromEntries(Object.keys(patch).map((key) => [key, before[key as keyof TodoPatch]]));
      cache.write((data) => mapTodos(data, (t) => (t.id === id ? { ...t, ...undo } : t)));
      report(describeFailedChange(error, before.title));
      if (error instanceof ApiError && (error.status === 412 || error.status === 404)) cache.invalidate();
    },
    onSettled: cache.refreshWhenIdle,
  });

  /** `baseVersion`: the version the user saw when they started this edit (for If-Match). */
  return (todo: Todo, patch: TodoPatch, baseVersion?: number) => {
    if (isTemporary(todo.id)) return;
    cache.optimistic((data) => mapTodos(data, (t) => (t.id === todo.id ? applyPatch(t, patch) : t)));
    mutation.mutate({ id: todo.id, patch, before: todo, baseVersion });
  };
}
