import { useMutation } from "@tanstack/react-query";
import { ApiError } from "../../api/client";
import type { Todo } from "../../api/types";
import { useNotices } from "../../ui/notices";
import { appendTodo, isTemporary, removeTodos } from "../cache";
import { errorDetail } from "../messages";
import { useTodoCache } from "../useTodoCache";
import { IN_ORDER, useTodoWrites } from "../writes";

/** Deletes one todo: gone at once, put back with a message if the server refuses. */
export function useDeleteTodo() {
  const { api } = useTodoWrites();
  const cache = useTodoCache();
  const { report } = useNotices();
  const mutation = useMutation({
    ...IN_ORDER,
    mutationFn: ({ todo }: { todo: Todo }) => api.deleteTodo(todo.id),
    onError: (error, variables) => {
      // Already gone is what the user wanted.
      if (error instanceof ApiError && error.status === 404) return;
      cache.write((data) => appendTodo(data, variables.todo));
      report(`Couldn't delete “${variables.todo.title}”. ${errorDetail(error)}`);
    },
    onSettled: cache.refreshWhenIdle,
  });

  return (todo: Todo) => {
    if (isTemporary(todo.id)) return;
    cache.optimistic((data) => removeTodos(data, (t) => t.id === todo.id));
    mutation.mutate({ todo });
  };
}
