/** One row of the list: composes the handle, checkbox, title (or its editor), actions and details. */
import { useId, useRef, useState } from "react";
import { TITLE_MAX, type Todo, type TodoPatch } from "../api/types";
import { Button } from "../ui/Button";
import { inputClass } from "../ui/forms";
import { LimitHint, useTextLimit } from "../ui/textLimit";
import { isOverdue } from "./dates";
import { ReorderHandle } from "./ReorderHandle";
import { TodoDetails } from "./TodoDetails";
import { TodoSummary } from "./TodoSummary";
import { useDropTarget } from "./useDropTarget";
import { useTitleEditor } from "./useTitleEditor";

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
  const [detailsOpen, setDetailsOpen] = useState(false);
  // Phones and touch screens: the row's actions sit behind one "⋯" control.
  const [actionsOpen, setActionsOpen] = useState(false);
  const rowRef = useRef<HTMLLIElement>(null);
  const { editing, startEditing, editButtonRef, editorProps } = useTitleEditor(todo, onUpdate, onRemove);
  const drop = useDropTarget(() => onDropOn(todo));
  const titleId = useId();
  const detailsId = useId();
  const pending = todo.id.startsWith("temp-");
  const overdue = isOverdue(todo.due, todo.completed);
  const setEditorValue = (value: string) => editorProps.onChange({ target: { value } });
  const titleLimit = useTextLimit(editorProps.value, setEditorValue, TITLE_MAX);
  const actionsId = useId();

  return (
    <li
      ref={rowRef}
      className={`group border-b border-l-4 border-b-slate-200 last:border-b-0 dark:border-b-slate-800 ${overdue ? "border-l-red-500 bg-red-50/60 dark:border-l-red-400 dark:bg-red-950/30" : "border-l-transparent"} ${drop.over ? "bg-indigo-50 dark:bg-indigo-950/40" : ""} ${pending ? "opacity-60" : ""}`}
      {...drop.rowProps}
    >
      <div className="flex min-h-14 items-center gap-1 py-1.5 pr-2 pl-1 sm:gap-2 sm:pr-3">
        <ReorderHandle
          todo={todo}
          position={position}
          count={count}
          rowRef={rowRef}
          onDragStart={onDragStart}
          onStep={onStep}
          focus={focusHandle}
        />
        <input
          type="checkbox"
          checked={todo.completed}
          disabled={pending}
          onChange={(event) => onUpdate(todo, { completed: event.target.checked })}
          aria-labelledby={titleId}
          className="size-5 shrink-0 cursor-pointer rounded accent-emerald-600"
        />
        {editing ? (
          <div className="mx-1 min-w-0 flex-1">
            <input {...editorProps} onPaste={titleLimit.onPaste} aria-describedby={titleLimit.hintId} maxLength={TITLE_MAX} className={inputClass} />
            <LimitHint limit={titleLimit} value={editorProps.value} />
          </div>
        ) : (
          <>
            <TodoSummary todo={todo} titleId={titleId} onDoubleClick={startEditing} />
            <Button
              variant="icon"
              size="icon"
              onClick={() => setActionsOpen((open) => !open)}
              disabled={pending}
              aria-expanded={actionsOpen}
              aria-controls={actionsId}
              aria-label={`Actions for “${todo.title}”`}
              className="text-lg sm:pointer-fine:hidden"
            >
              <span aria-hidden="true">⋯</span>
            </Button>
            <div className="hidden items-center gap-1 sm:gap-2 sm:pointer-fine:flex">
            <Button ref={editButtonRef} variant="icon" size="icon" onClick={startEditing} disabled={pending} aria-label={`Edit “${todo.title}”`}>
              <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4" fill="none" stroke="currentColor" strokeWidth="1.8">
                <path d="M13.5 3.5l3 3L7 16H4v-3l9.5-9.5z" strokeLinejoin="round" />
              </svg>
            </Button>
            <Button
              variant="icon"
              size="icon"
              onClick={() => setDetailsOpen((open) => !open)}
              disabled={pending}
              aria-expanded={detailsOpen}
              aria-controls={detailsId}
              aria-label={`Details for “${todo.title}”`}
            >
              <svg aria-hidden="true" viewBox="0 0 20 20" className={`size-4 transition ${detailsOpen ? "rotate-180" : ""}`} fill="none" stroke="currentColor" strokeWidth="1.8">
                <path d="M5 8l5 5 5-5" strokeLinecap="round" strokeLinejoin="round" />
              </svg>
            </Button>
            <Button variant="danger" size="icon" onClick={() => onRemove(todo)} disabled={pending} aria-label={`Delete “${todo.title}”`}>
              <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4" fill="none" stroke="currentColor" strokeWidth="1.8">
                <path d="M5 5l10 10M15 5L5 15" strokeLinecap="round" />
              </svg>
            </Button>
            </div>
          </>
        )}
      </div>
      {actionsOpen && !editing ? (
        <div id={actionsId} className="flex flex-wrap gap-2 px-3 pb-3 pl-10 sm:pointer-fine:hidden">
          <Button size="sm" onClick={() => { setActionsOpen(false); startEditing(); }}>
            Edit
          </Button>
          <Button size="sm" aria-expanded={detailsOpen} aria-controls={detailsId} onClick={() => setDetailsOpen((open) => !open)}>
            Details
          </Button>
          {/* Reordering by buttons where dragging does not work (touch). */}
          <Button size="sm" className="pointer-fine:hidden" onClick={() => onStep(todo, -1)} disabled={position <= 1}>
            ↑ Move up
          </Button>
          <Button size="sm" className="pointer-fine:hidden" onClick={() => onStep(todo, 1)} disabled={position >= count}>
            ↓ Move down
          </Button>
          <Button size="sm" variant="danger" className="ml-auto" onClick={() => onRemove(todo)}>
            Delete
          </Button>
        </div>
      ) : null}
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
