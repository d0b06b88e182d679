/** The sync indicator: unobtrusive, next to the list. */
import type { OfflineSync } from "./useOfflineSync";

function changes(count: number): string {
  return `${count} ${count === 1 ? "change" : "changes"} waiting`;
}

/** "Offline · 2 changes waiting" / "Syncing…" / "Saved": unobtrusive, announced politely. */
export function SyncStatus({ sync }: { sync: OfflineSync }) {
  const text =
    sync.state === "offline"
      ? `Offline${sync.waiting ? ` · ${changes(sync.waiting)}` : ""}`
      : sync.state === "syncing"
        ? "Syncing…"
        : sync.state === "waiting"
          ? changes(sync.waiting)
          : "Saved";
  const dot = sync.state === "offline" ? "bg-amber-500" : sync.state === "saved" ? "bg-emerald-500" : "bg-indigo-500";
  return (
    <p role="status" className="inline-flex items-center gap-1.5 text-sm whitespace-nowrap text-slate-600 dark:text-slate-400">
      <span aria-hidden="true" className={`size-2 rounded-full ${dot}`} />
      {text}
    </p>
  );
}
