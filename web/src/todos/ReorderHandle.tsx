import { useEffect, useRef, type DragEvent, type KeyboardEvent, type RefObject } from "react";
import type { Todo } from "../api/types";
import { Button } from "../ui/Button";

interface ReorderHandleProps {
  todo: Todo;
  position: number;
  count: number;
  /** The row, shown under the pointer while dragging. */
  rowRef: RefObject<HTMLLIElement | null>;
  onDragStart: (todo: Todo) => void;
  /** Moves this todo one place up (-1) or down (+1) in the visible list. */
  onStep: (todo: Todo, step: -1 | 1) => void;
  /** Set right after a keyboard move so focus follows the todo. */
  focus: boolean;
}

/** The grip a todo is reordered by: dragged with a mouse, or focused and moved with ↑/↓. */
export function ReorderHandle({ todo, position, count, rowRef, onDragStart, onStep, focus }: ReorderHandleProps) {
  const ref = useRef<HTMLButtonElement>(null);
  const pending = todo.id.startsWith("temp-");

  useEffect(() => {
    if (focus) ref.current?.focus();
  }, [focus, position]);

  const onKeyDown = (event: KeyboardEvent<HTMLButtonElement>) => {
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
    <Button
      ref={ref}
      variant="icon"
      size="icon"
      draggable={!pending}
      onDragStart={dragStart}
      onKeyDown={onKeyDown}
      disabled={pending || count < 2}
      aria-label={`Move “${todo.title}”, position ${position} of ${count}. Use the up and down arrow keys.`}
      // No dragging on touch screens: Move up/down (in the row's actions) instead.
      className="w-6 cursor-grab text-slate-400 pointer-coarse:hidden sm:w-7"
    >
      <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4" fill="currentColor">
        <circle cx="7" cy="5" r="1.5" /><circle cx="13" cy="5" r="1.5" /><circle cx="7" cy="10" r="1.5" />
        <circle cx="13" cy="10" r="1.5" /><circle cx="7" cy="15" r="1.5" /><circle cx="13" cy="15" r="1.5" />
      </svg>
    </Button>
  );
}
