import { useId, useState, type FormEvent } from "react";
import { NOTES_MAX, PRIORITIES, type Priority, type Todo, type TodoPatch } from "../api/types";
import { Button } from "../ui/Button";
import { inputClass } from "../ui/forms";
import { LimitHint, useTextLimit } from "../ui/textLimit";
import { PRIORITY_LABEL } from "./TodoSummary";

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

const labelClass = "mb-1 block text-sm font-medium text-slate-800 dark:text-slate-200";

/** The details form under a todo: notes, due date, priority (and Move up/down). */
export function TodoDetails({ id, todo, onSave, onClose, onStep, canMoveUp, canMoveDown }: TodoDetailsProps) {
  // The version this form was filled from: saving over someone else's newer change is a conflict.
  const [baseVersion] = useState(todo.version);
  const [notes, setNotes] = useState(todo.notes ?? "");
  const [due, setDue] = useState(todo.due ?? "");
  const [priority, setPriority] = useState<Priority>(todo.priority);
  const fieldId = useId();
  const notesLimit = useTextLimit(notes, setNotes, NOTES_MAX);

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
          onPaste={notesLimit.onPaste}
          aria-describedby={notesLimit.hintId}
          className={inputClass}
        />
        <LimitHint limit={notesLimit} value={notes} className="mt-1" />
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
          <div className="mr-auto flex gap-1 pointer-fine:hidden">
            <Button size="sm" onClick={() => onStep(-1)} disabled={!canMoveUp}>
              ↑ Move up
            </Button>
            <Button size="sm" onClick={() => onStep(1)} disabled={!canMoveDown}>
              ↓ Move down
            </Button>
          </div>
        ) : null}
        <Button variant="ghost" onClick={onClose}>
          Cancel
        </Button>
        <Button type="submit" variant="primary">
          Save details
        </Button>
      </div>
    </form>
  );
}
