import type { Priority, Todo } from "../api/types";
import { formatDue, isOverdue } from "./dates";

export const PRIORITY_LABEL: Record<Priority, string> = { low: "Low", normal: "Normal", high: "High" };

/** A todo's title and, under it, badges for its priority, due date and notes. */
export function TodoSummary({ todo, titleId, onDoubleClick }: { todo: Todo; titleId: string; onDoubleClick: () => void }) {
  const overdue = isOverdue(todo.due, todo.completed);
  return (
    <div className="mx-1 min-w-0 flex-1 py-1" onDoubleClick={onDoubleClick}>
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
  );
}
