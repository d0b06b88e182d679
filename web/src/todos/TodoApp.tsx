/** The todo list: TodoMVC's behaviour plus notes, due dates, priorities, reordering and paging. */
import { useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useRef, useState, type FormEvent } from "react";
import { SessionExpiredError, type ApiClient } from "../api/client";
import { TITLE_MAX, type Todo } from "../api/types";
import { SyncStatus } from "../offline/SyncStatus";
import { useOfflineSync, type OfflineSync } from "../offline/useOfflineSync";
import { Button } from "../ui/Button";
import { useNotices } from "../ui/notices";
import { LimitHint, useTextLimit } from "../ui/textLimit";
import { FILTERS, applyFilter, itemsLeftLabel, useFilter, type Filter } from "./filter";
import { useCreateTodo } from "./mutations/useCreateTodo";
import { useDeleteTodo } from "./mutations/useDeleteTodo";
import { useMoveTodo } from "./mutations/useMoveTodo";
import { useRestoreTodos } from "./mutations/useRestoreTodo";
import { useToggleAll } from "./mutations/useToggleAll";
import { useUpdateTodo } from "./mutations/useUpdateTodo";
import { TodoItem } from "./TodoItem";
import { useTodoList } from "./useTodoList";
import { deletedLabel, UndoToast, useUndoDeletes } from "./undo";
import { session } from "../webStorage";
import { TodoWritesProvider } from "./writes";

const ConflictDialog = lazy(() => import("../offline/ConflictDialog"));

const DRAFT_KEY = "todos:new-draft";

function readDraft(): string {
  return session.get(DRAFT_KEY) ?? "";
}

/** Storage blocked: the draft lives in the input only. */
function writeDraft(value: string): void {
  if (value) session.set(DRAFT_KEY, value);
  else session.remove(DRAFT_KEY);
}

/**
 * @param user the signed-in user's id: their offline data is kept under it.
 * @param live false while their session has ended (changes waiting offline are not sent then).
 */
export default function TodoApp({ api, user, live = true }: { api: ApiClient; user: string; live?: boolean }) {
  const sync = useOfflineSync(api, user, useQueryClient(), useNotices().report, live);
  return (
    <TodoWritesProvider api={sync.api} versions={sync.versions}>
      <TodoList sync={sync} />
      {sync.conflict ? (
        <Suspense fallback={null}>
          <ConflictDialog conflict={sync.conflict} onResolve={sync.resolve} />
        </Suspense>
      ) : null}
    </TodoWritesProvider>
  );
}

function TodoList({ sync }: { sync: OfflineSync }) {
  const list = useTodoList();
  const createTodo = useCreateTodo();
  const updateTodo = useUpdateTodo();
  const deleteTodo = useDeleteTodo();
  const moveTodo = useMoveTodo();
  const toggleAll = useToggleAll();
  const filter = useFilter();
  const [draft, setDraft] = useState(readDraft);
  const [dragged, setDragged] = useState<Todo | null>(null);
  const [movedId, setMovedId] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const newTodoRef = useRef<HTMLInputElement>(null);
  const titleLimit = useTextLimit(draft, setDraft, TITLE_MAX);
  // Deletes are sent at once; Undo restores them on the server (see undo.tsx).
  const deletes = useUndoDeletes(useRestoreTodos());
  const remove = (gone: Todo[], label: string) => {
    gone.forEach(deleteTodo);
    deletes.offer(gone, label);
  };

  useEffect(() => writeDraft(draft), [draft]);

  const todos = list.todos;
  const visible = applyFilter(todos, filter);
  const activeCount = todos.filter((t) => !t.completed).length;
  const completedCount = todos.length - activeCount;
  const allCompleted = todos.length > 0 && activeCount === 0;

  const addTodo = (event: FormEvent) => {
    event.preventDefault();
    const title = draft.trim();
    if (!title) return;
    setDraft("");
    // On failure (offline, session ended) the text goes back into the box.
    createTodo({ title }, () => setDraft((current) => current || title));
  };

  const step = (todo: Todo, direction: -1 | 1) => {
    const index = visible.findIndex((t) => t.id === todo.id);
    const target = visible[index + direction];
    if (!target) return;
    moveTodo(todo, target);
    setMovedId(todo.id);
    setAnnouncement(`“${todo.title}” moved to position ${index + direction + 1} of ${visible.length}.`);
  };

  const loadError = list.error && !(list.error instanceof SessionExpiredError) ? list.error : null;

  return (
    <div className="mx-auto w-full max-w-2xl px-3 pb-24 sm:px-4">
      <div className="mb-2 flex min-h-6 justify-end px-1">
        <SyncStatus sync={sync} />
      </div>
      <section
        aria-labelledby="todos-heading"
        className="overflow-hidden rounded-2xl bg-white shadow-xl shadow-slate-900/5 ring-1 ring-slate-900/5 dark:bg-slate-900 dark:ring-white/10"
      >
        <h1 id="todos-heading" className="sr-only">
          Your todos
        </h1>
        <form onSubmit={addTodo} className="flex items-center gap-2 p-2 pl-3 sm:p-3">
          <label htmlFor="new-todo" className="sr-only">
            New todo
          </label>
          <input
            id="new-todo"
            ref={newTodoRef}
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
            onPaste={titleLimit.onPaste}
            aria-describedby={titleLimit.hintId}
            maxLength={TITLE_MAX}
            placeholder="What needs to be done?"
            autoComplete="off"
            autoFocus
            className="min-w-0 flex-1 rounded-lg border-0 bg-transparent px-2 py-2.5 text-base sm:text-lg text-slate-900 placeholder:text-slate-500 focus:outline-2 focus:outline-indigo-500/50 dark:text-white dark:placeholder:text-slate-400"
          />
          <Button type="submit" variant="primary" className="shrink-0">
            Add
          </Button>
        </form>
        <LimitHint limit={titleLimit} value={draft} className="px-4" />
        <div className="flex min-h-11 items-center border-t border-slate-200 px-4 py-1.5 dark:border-slate-800">
          {todos.length > 0 ? (
            // Labelled in words: a bare checkbox here looked like a todo's own.
            <label className="inline-flex cursor-pointer items-center gap-2.5 text-sm font-medium text-slate-700 dark:text-slate-300">
              <input type="checkbox" checked={allCompleted} onChange={(event) => toggleAll(event.target.checked)} />
              Mark all as complete
            </label>
          ) : null}
        </div>

        {list.isPending ? (
          <Skeleton />
        ) : loadError ? (
          <div role="alert" className="space-y-3 p-8 text-center">
            <p className="font-medium">Couldn't load your todos.</p>
            <p className="text-sm text-slate-600 dark:text-slate-400">{loadError.message}</p>
            <Button variant="primary" onClick={() => void list.refetch()}>
              Try again
            </Button>
          </div>
        ) : visible.length === 0 ? (
          <EmptyState filter={filter} hasTodos={todos.length > 0} />
        ) : (
          <ul id="todo-list" aria-label="Todos">
            {visible.map((todo, index) => (
              <TodoItem
                key={todo.id}
                todo={todo}
                position={index + 1}
                count={visible.length}
                onUpdate={updateTodo}
                onRemove={(removed) => {
                  remove([removed], deletedLabel([removed], false));
                  // Keep keyboard users in the list rather than dropping focus to the page.
                  if (document.activeElement?.closest("#todo-list")) {
                    requestAnimationFrame(() => newTodoRef.current?.focus());
                  }
                }}
                onStep={step}
                onDragStart={setDragged}
                onDropOn={(target) => {
                  if (dragged && dragged.id !== target.id) moveTodo(dragged, target);
                  setDragged(null);
                }}
                focusHandle={movedId === todo.id}
              />
            ))}
          </ul>
        )}

        {list.hasNextPage ? <LoadMore onLoad={() => void list.fetchNextPage()} loading={list.isFetchingNextPage} /> : null}

        {todos.length > 0 ? (
          <footer className="flex flex-wrap items-center justify-between gap-x-3 gap-y-2 border-t border-slate-200 px-4 py-2.5 text-sm text-slate-600 dark:border-slate-800 dark:text-slate-400">
            <span aria-live="polite" className="font-medium">
              {itemsLeftLabel(activeCount)}
              {list.hasNextPage ? " (more to load)" : ""}
            </span>
            <nav aria-label="Filter todos" className="order-last w-full sm:order-none sm:w-auto">
              <ul className="flex gap-1">
                {FILTERS.map((f) => (
                  <li key={f.value}>
                    <a
                      href={f.hash}
                      aria-current={filter === f.value ? "page" : undefined}
                      className="block min-h-7 rounded-md px-2.5 py-1 text-slate-700 ring-indigo-500/40 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-500 aria-[current=page]:bg-indigo-50 aria-[current=page]:font-semibold aria-[current=page]:text-indigo-800 aria-[current=page]:ring-1 dark:text-slate-300 dark:hover:bg-slate-800 dark:aria-[current=page]:bg-indigo-950 dark:aria-[current=page]:text-indigo-200"
                    >
                      {f.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
            <span className="text-right sm:min-w-32">
              {completedCount > 0 ? (
                <Button
                  variant="danger"
                  size="sm"
                  onClick={() => {
                    const done = todos.filter((t) => t.completed);
                    remove(done, deletedLabel(done, true));
                  }}
                >
                  Clear completed
                </Button>
              ) : null}
            </span>
          </footer>
        ) : null}
      </section>
      <UndoToast deletes={deletes} />
      {/* Hints for the input method in use: no double-click or dragging on touch screens. */}
      <p className="mt-4 hidden text-center text-xs text-slate-600 pointer-fine:block dark:text-slate-400">
        Double-click a todo to edit it. Drag the handle, or focus it and use the arrow keys, to reorder.
      </p>
      <p className="mt-4 text-center text-xs text-slate-600 pointer-fine:hidden dark:text-slate-400">
        Tap ⋯ on a todo to edit, move or delete it.
      </p>
      <div aria-live="polite" className="sr-only">
        {announcement}
      </div>
    </div>
  );
}

function Skeleton() {
  return (
    <div aria-busy="true" aria-live="polite">
      <span className="sr-only">Loading your todos…</span>
      {[70, 45, 60].map((width) => (
        <div key={width} className="flex items-center gap-3 border-b border-slate-200 px-4 py-4 last:border-b-0 dark:border-slate-800">
          <div className="size-5 animate-pulse rounded bg-slate-200 dark:bg-slate-800" />
          <div className="h-4 animate-pulse rounded bg-slate-200 dark:bg-slate-800" style={{ width: `${width}%` }} />
        </div>
      ))}
    </div>
  );
}

function EmptyState({ filter, hasTodos }: { filter: Filter; hasTodos: boolean }) {
  const [title, text] = !hasTodos
    ? ["Nothing to do yet", "Add your first todo above and press Enter."]
    : filter === "active"
      ? ["All done!", "Every todo is complete. Enjoy the moment."]
      : ["Nothing completed yet", "Tick a todo's checkbox when it's done."];
  return (
    <div className="px-6 py-12 text-center">
      <div aria-hidden="true" className="mx-auto mb-3 flex size-12 items-center justify-center rounded-full bg-indigo-50 text-2xl text-indigo-600 dark:bg-indigo-950 dark:text-indigo-300">
        {filter === "active" && hasTodos ? "✓" : "✎"}
      </div>
      <p className="font-semibold text-slate-900 dark:text-white">{title}</p>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{text}</p>
    </div>
  );
}

/** A button that also loads by itself when scrolled into view. */
function LoadMore({ onLoad, loading }: { onLoad: () => void; loading: boolean }) {
  const ref = useRef<HTMLButtonElement>(null);
  const onLoadRef = useRef(onLoad);
  useEffect(() => {
    onLoadRef.current = onLoad;
  }, [onLoad]);
  useEffect(() => {
    const element = ref.current;
    if (!element || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) onLoadRef.current();
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return (
    <div className="border-t border-slate-200 p-3 text-center dark:border-slate-800">
      <Button ref={ref} variant="accent" onClick={onLoad} disabled={loading}>
        {loading ? "Loading…" : "Load more"}
      </Button>
    </div>
  );
}
