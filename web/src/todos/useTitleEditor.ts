import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import type { Todo, TodoPatch } from "../api/types";

/**
 * Inline editing of a todo's title, TodoMVC style: Enter or blur saves, Escape cancels,
 * an emptied title deletes. Focus goes back to the Edit button after Enter or Escape.
 */
export function useTitleEditor(
  todo: Todo,
  onUpdate: (todo: Todo, patch: TodoPatch, baseVersion?: number) => void,
  onRemove: (todo: Todo) => void,
) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(todo.title);
  // What the todo was called when editing began: the edit box keeps that name even if
  // a refresh brings a newer title meanwhile.
  const [editingTitle, setEditingTitle] = useState(todo.title);
  const inputRef = useRef<HTMLInputElement>(null);
  const editButtonRef = useRef<HTMLButtonElement>(null);
  // Escape and Enter end the edit themselves; the blur that follows must not save again.
  const finished = useRef(false);
  // The version the user saw when the edit began: sent as If-Match.
  const editBase = useRef(todo.version);
  // Set when Enter or Escape ends an edit: focus goes back to the Edit button once it is back.
  const refocusEditButton = useRef(false);
  const pending = todo.id.startsWith("temp-");

  useEffect(() => {
    if (editing) {
      inputRef.current?.focus();
      inputRef.current?.select();
    } else if (refocusEditButton.current) {
      refocusEditButton.current = false;
      editButtonRef.current?.focus();
    }
  }, [editing]);

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

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
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

  return {
    editing,
    startEditing,
    editButtonRef,
    /** Spread onto the edit box. */
    editorProps: {
      ref: inputRef,
      value: draft,
      onChange: (event: { target: { value: string } }) => setDraft(event.target.value),
      onKeyDown,
      onBlur: () => save(false),
      "aria-label": `Edit “${editingTitle}”`,
    },
  };
}
