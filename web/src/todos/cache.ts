/** Pure helpers over the cached pages of the todo list (kept apart so they are easy to test). */
import type { Todo, TodoPage, TodoPatch } from "../api/types";
import type { TodoPages } from "../api/todoPages";

// Shared with the offline layer, which sits below the todo list.
export { TODOS_KEY, findTodo, placeholder, type TodoPages } from "../api/todoPages";

/** The server's order: `order`, then id (ids are time-ordered ULIDs, so: creation). */
export function compareTodos(a: Todo, b: Todo): number {
  return a.order - b.order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function flatten(data: TodoPages | undefined): Todo[] {
  if (!data) return [];
  const seen = new Set<string>();
  const todos: Todo[] = [];
  // A todo can show up on two pages when the list changed between page loads: keep the first.
  for (const page of data.pages) {
    for (const todo of page.todos) {
      if (!seen.has(todo.id)) {
        seen.add(todo.id);
        todos.push(todo);
      }
    }
  }
  return todos.sort(compareTodos);
}

export function mapTodos(data: TodoPages | undefined, fn: (todo: Todo) => Todo): TodoPages | undefined {
  if (!data) return data;
  return { ...data, pages: data.pages.map((page) => ({ ...page, todos: page.todos.map(fn) })) };
}

export function removeTodos(data: TodoPages | undefined, drop: (todo: Todo) => boolean): TodoPages | undefined {
  if (!data) return data;
  return { ...data, pages: data.pages.map((page) => ({ ...page, todos: page.todos.filter((t) => !drop(t)) })) };
}

/** Adds a todo to the last loaded page (new todos sort last). */
export function appendTodo(data: TodoPages | undefined, todo: Todo): TodoPages {
  if (!data || data.pages.length === 0) {
    return { pages: [{ todos: [todo], next: null }], pageParams: [null] };
  }
  const pages = data.pages.slice();
  const last = pages[pages.length - 1] as TodoPage;
  pages[pages.length - 1] = { ...last, todos: [...last.todos, todo] };
  return { ...data, pages };
}

/**
 * New `order` values after moving `movedId` to where `targetId` is, in the list `todos` (sorted).
 * The affected stretch keeps its own set of order values, reshuffled, so nothing outside
 * it moves; when those values are not distinct (todos created with equal orders) the
 * whole list is renumbered. Returns only the todos whose order changes.
 */
export function reorder(todos: readonly Todo[], movedId: string, targetId: string): Map<string, number> {
  const from = todos.findIndex((t) => t.id === movedId);
  const to = todos.findIndex((t) => t.id === targetId);
  const changes = new Map<string, number>();
  if (from < 0 || to < 0 || from === to) return changes;
  const arranged = todos.slice();
  const [moved] = arranged.splice(from, 1);
  arranged.splice(to, 0, moved as Todo);
  const lo = Math.min(from, to);
  const hi = Math.max(from, to);
  const values = todos.slice(lo, hi + 1).map((t) => t.order).sort((a, b) => a - b);
  const distinct = values.every((v, i) => i === 0 || v > (values[i - 1] as number));
  if (distinct) {
    arranged.slice(lo, hi + 1).forEach((todo, i) => {
      const order = values[i] as number;
      if (todo.order !== order) changes.set(todo.id, order);
    });
  } else {
    arranged.forEach((todo, i) => {
      if (todo.order !== i) changes.set(todo.id, i);
    });
  }
  return changes;
}

/** Seconds since 2020: grows over time, so new todos sort last even when not every page is loaded. */
const ORDER_EPOCH_MS = Date.UTC(2020, 0, 1);

/** The order a new todo gets: after everything loaded and everything created before it. */
export function nextOrder(todos: readonly Todo[], now: number = Date.now()): number {
  const clock = Math.floor((now - ORDER_EPOCH_MS) / 1000);
  return todos.reduce((max, t) => Math.max(max, t.order + 1), clock);
}

/** A todo being created has a temporary id until the server answers; it can't be changed meanwhile. */
export function isTemporary(id: string): boolean {
  return id.startsWith("temp-");
}

/** `todo` with `patch` applied as the server would (completing sets `completed_at`). */
export function applyPatch(todo: Todo, patch: TodoPatch): Todo {
  const next = { ...todo, ...patch };
  if (patch.completed !== undefined && patch.completed !== todo.completed) {
    next.completed_at = patch.completed ? new Date().toISOString() : null;
  }
  return next;
}
