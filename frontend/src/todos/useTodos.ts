/**
 * Server state for the todo list (TanStack Query): one infinite query that follows the
 * API's Link header, and mutations that update the cache at once and roll back on failure.
 */
import { useInfiniteQuery, useMutation, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef } from "react";
import { ApiError, SessionExpiredError, type ApiClient } from "../api/client";
import type { NewTodo, Todo, TodoPage, TodoPatch } from "../api/types";
import { useNotices } from "../ui/notices";
import {
  TODOS_KEY,
  appendTodo,
  findTodo,
  flatten,
  mapTodos,
  nextOrder,
  removeTodos,
  reorder,
  type TodoPages,
} from "./cache";

export function useTodoList(api: ApiClient) {
  const query = useInfiniteQuery<TodoPage, Error, TodoPages, typeof TODOS_KEY, string | null>({
    queryKey: TODOS_KEY,
    queryFn: ({ pageParam }) => api.listTodos(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next,
  });
  const todos = useMemo(() => flatten(query.data), [query.data]);
  return { ...query, todos };
}

/**
 * Writes go out one at a time, in the order the user made them: a toggle made right
 * after "mark all" must reach the server after it, and each write reads the version
 * the previous one left in the cache.
 */
function createWriteQueue() {
  let tail: Promise<unknown> = Promise.resolve();
  return function enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}

/**
 * Content edits carry If-Match so one device cannot silently overwrite another's text.
 * Completing and reordering say what the user wants regardless of other edits, so they don't.
 */
function needsIfMatch(patch: TodoPatch): boolean {
  return ["title", "notes", "due", "priority"].some((field) => field in patch);
}

function isTemporary(id: string): boolean {
  return id.startsWith("temp-");
}

/** What to tell the user when a change to one todo was refused. */
function describe(error: unknown, title: string): string {
  const name = `“${title.length > 40 ? `${title.slice(0, 40)}…` : title}”`;
  if (error instanceof ApiError && error.status === 412) {
    return `${name} was changed in another tab or device, so your change wasn't saved. The latest version is shown now; make your change again if you still want it.`;
  }
  if (error instanceof ApiError && error.status === 404) return `${name} was already deleted somewhere else.`;
  return `Couldn't save ${name}. ${errorDetail(error)}`;
}

export interface TodoActions {
  create: (input: NewTodo, onFailure?: () => void) => void;
  /** `baseVersion`: the version the user saw when they started this edit (for If-Match). */
  update: (todo: Todo, patch: TodoPatch, baseVersion?: number) => void;
  remove: (todo: Todo) => void;
  toggleAll: (completed: boolean) => void;
  clearCompleted: () => void;
  move: (todo: Todo, target: Todo) => void;
}

/**
 * @param sessionEpoch changes each time the user signs in again after their session
 *   ended; writes that failed for lack of a session are replayed then.
 */
export function useTodoActions(api: ApiClient, sessionEpoch = 0): TodoActions {
  const queryClient = useQueryClient();
  const { report } = useNotices();
  const enqueue = useRef(createWriteQueue()).current;
  const replays = useRef<(() => void)[]>([]);

  useEffect(() => {
    const pending = replays.current.splice(0);
    pending.forEach((replay) => replay());
  }, [sessionEpoch]);

  const setData = useCallback(
    (fn: (data: TodoPages | undefined) => TodoPages | undefined) => queryClient.setQueryData<TodoPages>(TODOS_KEY, fn),
    [queryClient],
  );

  const refreshWhenIdle = useCallback(() => refreshIfIdle(queryClient), [queryClient]);

  /**
   * Versions our own writes produced (every write adds exactly 1). An edit begun at
   * version 3 is still current at 5 if this tab made 4 and 5 itself; anyone else's
   * write in between breaks the chain and the server answers 412.
   */
  const ownWrites = useRef(new Map<string, Set<number>>());
  const recordOwnWrite = useCallback((id: string, version: number) => {
    const versions = ownWrites.current.get(id) ?? new Set<number>();
    versions.add(version);
    ownWrites.current.set(id, versions);
  }, []);
  const ownLatest = useCallback((id: string, base: number) => {
    const versions = ownWrites.current.get(id);
    let version = base;
    while (versions?.has(version + 1)) version += 1;
    return version;
  }, []);

  /** Re-reads the loaded pages and takes only the server's versions, leaving optimistic edits on screen. */
  const syncVersions = useCallback(async () => {
    const loaded = queryClient.getQueryData<TodoPages>(TODOS_KEY)?.pages.length ?? 1;
    const fresh = new Map<string, Todo>();
    let next: string | null = null;
    for (let page = 0; page < loaded; page++) {
      const result = await api.listTodos(next);
      result.todos.forEach((todo) => fresh.set(todo.id, todo));
      next = result.next;
      if (!next) break;
    }
    setData((data) =>
      mapTodos(data, (t) => {
        const server = fresh.get(t.id);
        if (!server) return t;
        if (server.version > t.version) recordOwnWrite(t.id, server.version);
        return { ...t, version: server.version, updated_at: server.updated_at, completed_at: server.completed_at };
      }),
    );
  }, [api, queryClient, setData, recordOwnWrite]);

  const createMutation = useMutation({
    mutationFn: ({ input }: { input: NewTodo; tempId: string }) => enqueue(() => api.createTodo(input)),
    onSuccess: (todo, { tempId }) => setData((data) => mapTodos(data, (t) => (t.id === tempId ? todo : t))),
    onError: (error, { tempId, input }) => {
      setData((data) => removeTodos(data, (t) => t.id === tempId));
      if (!(error instanceof SessionExpiredError)) report(`Couldn't add “${input.title}”. ${errorDetail(error)}`);
    },
    onSettled: refreshWhenIdle,
  });

  const updateMutation = useMutation({
    mutationFn: ({ id, patch, baseVersion }: { id: string; patch: TodoPatch; before: Todo; baseVersion?: number }) =>
      enqueue(() => {
        if (!needsIfMatch(patch)) return api.updateTodo(id, patch);
        const base = baseVersion ?? findTodo(queryClient.getQueryData(TODOS_KEY), id)?.version;
        return api.updateTodo(id, patch, base === undefined ? undefined : ownLatest(id, base));
      }),
    // Only the bookkeeping fields come from the answer: a later edit may already be showing.
    onSuccess: (saved) => {
      recordOwnWrite(saved.id, saved.version);
      setData((data) =>
        mapTodos(data, (t) =>
          t.id === saved.id
            ? { ...t, version: saved.version, updated_at: saved.updated_at, completed_at: saved.completed_at }
            : t,
        ),
      );
    },
    onError: (error, variables) => {
      if (error instanceof SessionExpiredError) {
        replays.current.push(() => updateMutation.mutate(variables));
        return;
      }
      const { id, patch, before } = variables;
      const undo = Object.fromEntries(Object.keys(patch).map((key) => [key, before[key as keyof TodoPatch]]));
      setData((data) => mapTodos(data, (t) => (t.id === id ? { ...t, ...undo } : t)));
      report(describe(error, before.title));
      if (error instanceof ApiError && (error.status === 412 || error.status === 404)) {
        void queryClient.invalidateQueries({ queryKey: TODOS_KEY });
      }
    },
    onSettled: refreshWhenIdle,
  });

  const removeMutation = useMutation({
    mutationFn: ({ todo }: { todo: Todo }) => enqueue(() => api.deleteTodo(todo.id)),
    onError: (error, variables) => {
      if (error instanceof SessionExpiredError) {
        replays.current.push(() => removeMutation.mutate(variables));
        return;
      }
      // Already gone is what the user wanted.
      if (error instanceof ApiError && error.status === 404) return;
      setData((data) => appendTodo(data, variables.todo));
      report(`Couldn't delete “${variables.todo.title}”. ${errorDetail(error)}`);
    },
    onSettled: refreshWhenIdle,
  });

  const bulkMutation = useMutation({
    mutationFn: ({ action }: { action: BulkAction; snapshot: TodoPages | undefined }) =>
      enqueue(async () => {
        if (action.kind === "toggleAll") await api.setAllCompleted(action.completed);
        else await api.clearCompleted();
        // Every todo got a new version: learn them before the next queued write needs one.
        await syncVersions();
      }),
    onError: (error, variables) => {
      const { action, snapshot } = variables;
      if (error instanceof SessionExpiredError) {
        replays.current.push(() => bulkMutation.mutate(variables));
        return;
      }
      if (snapshot) queryClient.setQueryData(TODOS_KEY, snapshot);
      const what = action.kind === "toggleAll" ? "update your todos" : "clear the completed todos";
      report(`Couldn't ${what}. ${errorDetail(error)}`);
    },
    onSettled: refreshWhenIdle,
  });

  /**
   * Shows a change at once, inside the user's event, so the screen never lags the click.
   * A list fetch already on its way would carry older data: it is cancelled first, which
   * (synchronously) puts back the state from before it started; then the change applies.
   */
  const optimistic = useCallback(
    (fn: (data: TodoPages | undefined) => TodoPages | undefined) => {
      void queryClient.cancelQueries({ queryKey: TODOS_KEY });
      setData(fn);
    },
    [queryClient, setData],
  );

  return useMemo<TodoActions>(
    () => ({
      create: (input, onFailure) => {
        const current = flatten(queryClient.getQueryData(TODOS_KEY));
        const withOrder = { ...input, order: input.order ?? nextOrder(current) };
        const tempId = `temp-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
        optimistic((data) => appendTodo(data, placeholder(tempId, withOrder)));
        createMutation.mutate({ input: withOrder, tempId }, { onError: () => onFailure?.() });
      },
      update: (todo, patch, baseVersion) => {
        if (isTemporary(todo.id)) return;
        optimistic((data) => mapTodos(data, (t) => (t.id === todo.id ? applyPatch(t, patch) : t)));
        updateMutation.mutate({ id: todo.id, patch, before: todo, baseVersion });
      },
      remove: (todo) => {
        if (isTemporary(todo.id)) return;
        optimistic((data) => removeTodos(data, (t) => t.id === todo.id));
        removeMutation.mutate({ todo });
      },
      toggleAll: (completed) => {
        const snapshot = queryClient.getQueryData<TodoPages>(TODOS_KEY);
        const now = new Date().toISOString();
        optimistic((data) =>
          mapTodos(data, (t) => (t.completed === completed ? t : { ...t, completed, completed_at: completed ? now : null })),
        );
        bulkMutation.mutate({ action: { kind: "toggleAll", completed }, snapshot });
      },
      clearCompleted: () => {
        const snapshot = queryClient.getQueryData<TodoPages>(TODOS_KEY);
        optimistic((data) => removeTodos(data, (t) => t.completed));
        bulkMutation.mutate({ action: { kind: "clearCompleted" }, snapshot });
      },
      move: (todo, target) => {
        const current = flatten(queryClient.getQueryData(TODOS_KEY));
        for (const [id, order] of reorder(current, todo.id, target.id)) {
          const before = current.find((t) => t.id === id);
          if (!before || isTemporary(id)) continue;
          optimistic((data) => mapTodos(data, (t) => (t.id === id ? { ...t, order } : t)));
          updateMutation.mutate({ id, patch: { order }, before });
        }
      },
    }),
    [queryClient, optimistic, createMutation, updateMutation, removeMutation, bulkMutation],
  );
}

type BulkAction = { kind: "toggleAll"; completed: boolean } | { kind: "clearCompleted" };

/** How a todo being created looks until the server answers. */
function placeholder(id: string, input: NewTodo): Todo {
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

function applyPatch(todo: Todo, patch: TodoPatch): Todo {
  const next = { ...todo, ...patch };
  if (patch.completed !== undefined && patch.completed !== todo.completed) {
    next.completed_at = patch.completed ? new Date().toISOString() : null;
  }
  return next;
}

function errorDetail(error: unknown): string {
  return error instanceof ApiError ? error.message : "Please try again.";
}

/** Re-reads the list once the last write has finished, so the cache ends up exactly as the server has it. */
function refreshIfIdle(queryClient: QueryClient): void {
  // This mutation still counts as running while its onSettled runs.
  if (queryClient.isMutating() <= 1) void queryClient.invalidateQueries({ queryKey: TODOS_KEY });
}
