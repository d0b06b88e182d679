import { useMutation } from "@tanstack/react-query";
import type { Todo } from "../../api/types";
import { useNotices } from "../../ui/notices";
import { appendTodo, removeTodos } from "../cache";
import { errorDetail } from "../messages";
import { useTodoCache } from "../useTodoCache";
import { IN_ORDER, useTodoWrites } from "../writes";

/**
 * Undoes deletes (undo.tsx): the todos are back at once, as they were (the server
 * restores their id, version and place), and taken away again with a message if the
 * server refuses (the undo window is over, or the quota is full).
 */
export function useRestoreTodos() {
  const { api } = useTodoWrites();
  const cache = useTodoCache();
  const { report } = useNotices();
  const mutation = useMutation({
    // In order: a restore never overtakes its delete.
    ...IN_ORDER,
    mutationFn: ({ todo }: { todo: Todo }) => api.restoreTodo(todo.id),
    onError: (error, variables) => {
      cache.write((data) => removeTodos(data, (t) => t.id === variables.todo.id));
      report(`Couldn't bring back “${variables.todo.title}”. ${errorDetail(error)}`);
    },
    onSettled: cache.refreshWhenIdle,
  });

  return (todos: Todo[]) => {
    const ids = new Set(todos.map((t) => t.id));
    cache.optimistic((data) => todos.reduce(appendTodo, removeTodos(data, (t) => ids.has(t.id))));
    // One at a time (the queue): each restore updates the user's todo count.
    todos.forEach((todo) => mutation.mutate({ todo }));
  };
}
