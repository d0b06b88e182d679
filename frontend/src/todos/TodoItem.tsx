import { useEffect, useId, useRef, useState, type DragEvent, type FormEvent, type KeyboardEvent } from "react";
import { NOTES_MAX, PRIORITIES, TITLE_MAX, type Priority, type Todo, type TodoPatch } from "../api/types";
import { inputClass } from "../ui/forms";
import { formatDue, isOverdue } from "./dates";

const iconButton =
  "inline-flex size-9 shrink-0 items-center justify-center rounded-lg text-slate-500 transition hover:bg-slate-100 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-indigo-500 disabled:opacity-40 dark:text-slate-400 dark:hover:bg-slate-800 dark:hover:text-white";

const smallButton =
  "rounded-lg px-2.5 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-white focus-visible:outline-2 focus-visible:outline-indigo-500 disabled:opacity-40 dark:text-slate-300 dark:ring-slate-700 dark:hover:bg-slate-800";

const PRIORITY_LABEL: Record<Priority, string> = { low: "Low", normal: "Normal", high: "High" };

interface TodoItemProps {
  todo: Todo;
  /** `baseVersion`: the version shown when the user began this edit (sent as If-Match). */
  onUpdate: (todo: Todo, patch: TodoPatch, baseVersion?: number) => void;
  onRemove: (todo: Todo) => void;
  /** Moves this todo one place up (-1) or down (+1) in the visible list. */
  onStep: (todo: Todo, step: -1 | 1) => void;
  onDragStart: (todo: Todo) => void;
  onDropOn: (todo: Todo) => void;
  /** Set right after a keyboard move so focus follows the todo. */
  focusHandle: boolean;
  position: number;
  count: number;
}

export function TodoItem({ todo, onUpdate, onRemove, onStep, onDragStart, onDropOn, focusHandle, position, count }: TodoItemProps) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(todo.title);
  const [detailsOpen, setDetailsOpen] = useState(false);
  const [dropTarget, setDropTarget] = useState(false);
  const editRef = useRef<HTMLInputElement>(null);
  const editButtonRef = useRef<HTMLButtonElement>(null);
  const handleRef = useRef<HTMLButtonElement>(null);
  const rowRef = useRef<HTMLLIElement>(null);
  // Escape and Enter end the edit themselves; the blur that follows must not save again.
  const finished = useRef(false);
  const editBase = useRef(todo.version);
  // What the todo was called when editing began: the edit box keeps that name even if
  // a refresh brings a newer title meanwhile.
  const [editingTitle, setEditingTitle] = useState(todo.title);
  const titleId = useId();
  const detailsId = useId();
  const pending = todo.id.startsWith("temp-");
  const overdue = isOverdue(todo.due, todo.completed);

  // Set when Enter or Escape ends an edit: focus goes back to the Edit button once it is back.
  const refocusEditButton = useRef(false);

  useEffect(() => {
    if (editing) {
      editRef.current?.focus();
      editRef.current?.select();
    } else if (refocusEditButton.current) {
      refocusEditButton.current = false;
      editButtonRef.current?.focus();
    }
  }, [editing]);

  useEffect(() => {
    if (focusHandle) handleRef.current?.focus();
  }, [focusHandle, position]);

  const startEditing = () => {
    if (pending) return;
    finished.current = false;
    editBase.current = todo.version;
    setEditingTitle(todo.title);
    setDraft(todo.title);
    setEditing(true);
  };

  const save = (returnFocus: boolean) => {
    if (finished.current) return;
    finished.current = true;
    const title = draft.trim();
    if (!title) {
      setEditing(false);
      onRemove(todo);
      return;
    }
    refocusEditButton.current = returnFocus;
    setEditing(false);
    if (title !== todo.title) onUpdate(todo, { title }, editBase.current);
  };

  const onEditKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter") {
      event.preventDefault();
      save(true);
    } else if (event.key === "Escape") {
      event.preventDefault();
      finished.current = true;
      refocusEditButton.current = true;
      setDraft(todo.title);
      setEditing(false);
    }
  };

  const onHandleKey = (event: KeyboardEvent<HTMLButtonElement>) => {
    if (event.key === "ArrowUp" || event.key === "ArrowDown") {
      event.preventDefault();
      onStep(todo, event.key === "ArrowUp" ? -1 : 1);
    }
  };

  const dragStart = (event: DragEvent<HTMLButtonElement>) => {
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", todo.id);
    if (rowRef.current) event.dataTransfer.setDragImage(rowRef.current, 16, 16);
    onDragStart(todo);
  };

  return (
    <li
      ref={rowRef}
      className={`group border-b border-slate-200 last:border-b-0 dark:border-slate-800 ${dropTarget ? "bg-indigo-50 dark:bg-indigo-950/40" : ""} ${pending ? "opacity-60" : ""}`}
      onDragOver={(event) => {
        event.preventDefault();
        setDropTarget(true);
      }}
      onDragLeave={() => setDropTarget(false)}
      onDrop={(event) => {
        event.preventDefault();
        setDropTarget(false);
        onDropOn(todo);
      }}
    >
      <div className="flex min-h-14 items-center gap-1 py-1.5 pr-2 pl-1 sm:gap-2 sm:pr-3">
        <button
          ref={handleRef}
          type="button"
          draggable={!pending}
          onDragStart={dragStart}
          onKeyDown={onHandleKey}
          disabled={pending || count < 2}
          aria-label={`Move “${todo.title}”, position ${position} of ${count}. Use the up and down arrow keys.`}
          className={`${iconButton} w-6 cursor-grab text-slate-400 sm:w-7`}
        >
          <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4" fill="currentColor">
            <circle cx="7" cy="5" r="1.5" /><circle cx="13" cy="5" r="1.5" /><circle cx="7" cy="10" r="1.5" />
            <circle cx="13" cy="10" r="1.5" /><circle cx="7" cy="15" r="1.5" /><circle cx="13" cy="15" r="1.5" />
          </svg>
        </button>
        <input
          type="checkbox"
          checked={todo.completed}
          disabled={pending}
          onChange={(event) => onUpdate(todo, { completed: event.target.checked })}
          aria-labelledby={titleId}
          className="size-5 shrink-0 cursor-pointer rounded accent-emerald-600"
        />
        {editing ? (
          <input
            ref={editRef}
            value={draft}
            maxLength={TITLE_MAX}
            onChange={(event) => setDraft(event.target.value)}
            onKeyDown={onEditKey}
            onBlur={() => save(false)}
            aria-label={`Edit “${editingTitle}”`}
            className={`${inputClass} mx-1 min-w-0 flex-1`}
          />
        ) : (
          <div className="mx-1 min-w-0 flex-1 py-1" onDoubleClick={startEditing}>
            <span
              id={titleId}
              className={`block break-words text-base ${todo.completed ? "text-slate-500 line-through dark:text-slate-400" : "text-slate-900 dark:text-slate-100"}`}
            >
              {todo.title}
            </span>
            {(todo.due || todo.priority !== "normal" || todo.notes) && (
              <div className="mt-1 flex flex-wrap items-center gap-1.5 text-xs">
                {todo.priority !== "normal" && (
                  <span
                    className={`rounded-full px-2 py-0.5 font-medium ${todo.priority === "high" ? "bg-amber-100 text-amber-900 dark:bg-amber-900/50 dark:text-amber-200" : "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300"}`}
                  >
                    {PRIORITY_LABEL[todo.priority]} priority
                  </span>
                )}
                {todo.due && (
                  <span
                    className={`rounded-full px-2 py-0.5 font-medium ${overdue ? "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300" : "bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-200"}`}
                  >
                    {overdue ? "Overdue: " : "Due "}
                    <time dateTime={todo.due}>{formatDue(todo.due)}</time>
                  </span>
                )}
                {todo.notes && <span className="text-slate-600 dark:text-slate-400">Has notes</span>}
              </div>
            )}
          </div>
        )}
        {!editing && (
          <>
            <button ref={editButtonRef} type="button" onClick={startEditing} disabled={pending} aria-label={`Edit “${todo.title}”`} className={iconButton}>
              <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4" fill="none" stroke="currentColor" strokeWidth="1.8">
                <path d="M13.5 3.5l3 3L7 16H4v-3l9.5-9.5z" strokeLinejoin="round" />
              </svg>
            </button>
            <button
              type="button"
              onClick={() => setDetailsOpen((open) => !open)}
              disabled={pending}
              aria-expanded={detailsOpen}
              aria-controls={detailsId}
              aria-label={`Details for “${todo.title}”`}
              className={iconButton}
            >
              <svg aria-hidden="true" viewBox="0 0 20 20" className={`size-4 transition ${detailsOpen ? "rotate-180" : ""}`} fill="none" stroke="currentColor" strokeWidth="1.8">
                <path d="M5 8l5 5 5-5" strokeLinecap="round" strokeLinejoin="round" />
              </svg>
            </button>
            <button
              type="button"
              onClick={() => onRemove(todo)}
              disabled={pending}
              aria-label={`Delete “${todo.title}”`}
              className={`${iconButton} hover:bg-red-50 hover:text-red-700 dark:hover:bg-red-950 dark:hover:text-red-300`}
            >
              <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4" fill="none" stroke="currentColor" strokeWidth="1.8">
                <path d="M5 5l10 10M15 5L5 15" strokeLinecap="round" />
              </svg>
            </button>
          </>
        )}
      </div>
      {detailsOpen && !editing && (
        <TodoDetails
          id={detailsId}
          todo={todo}
          onSave={(patch, base) => onUpdate(todo, patch, base)}
          onClose={() => setDetailsOpen(false)}
          onStep={position > 1 || position < count ? (step) => onStep(todo, step) : undefined}
          canMoveUp={position > 1}
          canMoveDown={position < count}
        />
      )}
    </li>
  );
}

interface TodoDetailsProps {
  id: string;
  todo: Todo;
  onSave: (patch: TodoPatch, baseVersion: number) => void;
  onClose: () => void;
  /** Reordering by buttons, for touch screens (where drag and drop is not available). */
  onStep?: ((step: -1 | 1) => void) | undefined;
  canMoveUp: boolean;
  canMoveDown: boolean;
}

function TodoDetails({ id, todo, onSave, onClose, onStep, canMoveUp, canMoveDown }: TodoDetailsProps) {
  // The version this form was filled from: saving over someone else's newer change is a conflict.
  const [baseVersion] = useState(todo.version);
  const [notes, setNotes] = useState(todo.notes ?? "");
  const [due, setDue] = useState(todo.due ?? "");
  const [priority, setPriority] = useState<Priority>(todo.priority);
  const fieldId = useId();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const patch: TodoPatch = {};
    const newNotes = notes.trim() ? notes : null;
    if (newNotes !== todo.notes) patch.notes = newNotes;
    const newDue = due || null;
    if (newDue !== todo.due) patch.due = newDue;
    if (priority !== todo.priority) patch.priority = priority;
    if (Object.keys(patch).length > 0) onSave(patch, baseVersion);
    onClose();
  };

  const labelClass = "mb-1 block text-sm font-medium text-slate-800 dark:text-slate-200";
  return (
    <form id={id} onSubmit={submit} className="space-y-3 border-t border-dashed border-slate-200 bg-slate-50 px-4 py-4 sm:pl-16 dark:border-slate-800 dark:bg-slate-900/60">
      <div>
        <label htmlFor={`${fieldId}-notes`} className={labelClass}>
          Notes
        </label>
        <textarea
          id={`${fieldId}-notes`}
          value={notes}
          maxLength={NOTES_MAX}
          rows={3}
          onChange={(event) => setNotes(event.target.value)}
          className={inputClass}
        />
      </div>
      <div className="grid gap-3 sm:grid-cols-2">
        <div>
          <label htmlFor={`${fieldId}-due`} className={labelClass}>
            Due date
          </label>
          <input id={`${fieldId}-due`} type="date" value={due} onChange={(event) => setDue(event.target.value)} className={inputClass} />
        </div>
        <div>
          <label htmlFor={`${fieldId}-priority`} className={labelClass}>
            Priority
          </label>
          <select
            id={`${fieldId}-priority`}
            value={priority}
            onChange={(event) => setPriority(event.target.value as Priority)}
            className={inputClass}
          >
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {PRIORITY_LABEL[p]}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="flex flex-wrap items-center justify-end gap-2">
        {onStep ? (
          <div className="mr-auto flex gap-1">
            <button type="button" onClick={() => onStep(-1)} disabled={!canMoveUp} className={smallButton}>
              ↑ Move up
            </button>
            <button type="button" onClick={() => onStep(1)} disabled={!canMoveDown} className={smallButton}>
              ↓ Move down
            </button>
          </div>
        ) : null}
        <button
          type="button"
          onClick={onClose}
          className="rounded-lg px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-200 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-slate-300 dark:hover:bg-slate-800"
        >
          Cancel
        </button>
        <button
          type="submit"
          className="rounded-lg bg-indigo-600 px-3 py-2 text-sm font-semibold text-white hover:bg-indigo-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500"
        >
          Save details
        </button>
      </div>
    </form>
  );
}
