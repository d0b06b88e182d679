/**
 * The todo list as TanStack Query caches it (pages of the API's list), and how a todo
 * being created looks until the server answers: shared by the list (todos/) and the
 * offline layer below it (offline/).
 */
import type { InfiniteData } from "@tanstack/react-query";
import type { NewTodo, Todo, TodoPage } from "./types";

export type TodoPages = InfiniteData<TodoPage, string | null>;

export const TODOS_KEY = ["todos"] as const;

export function findTodo(data: TodoPages | undefined, id: string): Todo | undefined {
  for (const page of data?.pages ?? []) {
    const found = page.todos.find((todo) => todo.id === id);
    if (found) return found;
  }
  return undefined;
}

/** How a todo being created looks until the server answers. */
export function placeholder(id: string, input: NewTodo): Todo {
  const now = new Date().toISOString();
  return {
    id,
    url: "",
    title: input.title,
    completed: input.completed ?? false,
    order: input.order ?? 0,
    notes: input.notes ?? null,
    due: input.due ?? null,
    priority: input.priority ?? "normal",
    created_at: now,
    updated_at: now,
    completed_at: null,
    version: 0,
  };
}
