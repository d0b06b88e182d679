/** A change made offline that someone else's change overtook: the user picks which stays. Loaded only when one happens. */
import { useEffect, useRef } from "react";
import type { TodoPatch } from "../api/types";
import { Button } from "../ui/Button";
import { Modal } from "../ui/Modal";
import type { Conflict } from "./outbox";

const FIELD_LABEL: Record<string, string> = {
  title: "Title",
  notes: "Notes",
  due: "Due date",
  priority: "Priority",
  completed: "Completed",
  order: "Position",
};

function show(value: unknown): string {
  if (value === null || value === undefined || value === "") return "(none)";
  if (typeof value === "boolean") return value ? "Yes" : "No";
  return String(value);
}

export default function ConflictDialog({ conflict, onResolve }: { conflict: Conflict; onResolve: (keep: "mine" | "theirs") => void }) {
  const mineRef = useRef<HTMLButtonElement>(null);
  useEffect(() => mineRef.current?.focus(), [conflict.write.key]);
  const fields = Object.keys(conflict.write.patch) as (keyof TodoPatch)[];
  return (
    <Modal labelledBy="conflict-title" describedBy="conflict-text" width="max-w-md">
      <h2 id="conflict-title" className="text-lg font-semibold">
        Changed on another device
      </h2>
      <p id="conflict-text" className="text-sm text-slate-700 dark:text-slate-300">
        While you were offline, “{conflict.server.title}” was changed somewhere else. Which version should stay?
      </p>
      <table className="w-full text-left text-sm">
        <thead>
          <tr className="text-slate-600 dark:text-slate-400">
            <th scope="col" className="py-1 pr-2 font-medium">
              <span className="sr-only">Field</span>
            </th>
            <th scope="col" className="py-1 pr-2 font-medium">
              Yours
            </th>
            <th scope="col" className="py-1 font-medium">
              Theirs
            </th>
          </tr>
        </thead>
        <tbody>
          {fields.map((field) => (
            <tr key={field} className="border-t border-slate-200 align-top dark:border-slate-700">
              <th scope="row" className="py-1.5 pr-2 font-medium">
                {FIELD_LABEL[field] ?? field}
              </th>
              <td className="py-1.5 pr-2 break-words">{show(conflict.write.patch[field])}</td>
              <td className="py-1.5 break-words">{show(conflict.server[field])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="flex justify-end gap-2">
        <Button onClick={() => onResolve("theirs")}>Keep theirs</Button>
        <Button ref={mineRef} variant="primary" onClick={() => onResolve("mine")}>
          Keep mine
        </Button>
      </div>
    </Modal>
  );
}
