import type { Todo } from "../../api/types";
import { flatten, isTemporary, reorder } from "../cache";
import { useTodoCache } from "../useTodoCache";
import { useUpdateTodo } from "./useUpdateTodo";

/** Moves `todo` to where `target` is: only the todos whose `order` changes are written. */
export function useMoveTodo() {
  const cache = useTodoCache();
  const update = useUpdateTodo();
  return (todo: Todo, target: Todo) => {
    const current = flatten(cache.read());
    for (const [id, order] of reorder(current, todo.id, target.id)) {
      const before = current.find((t) => t.id === id);
      if (before && !isTemporary(id)) update(before, { order });
    }
  };
}
