import { useEffect, useState } from "react";
import type { Todo } from "../api/types";

export type Filter = "all" | "active" | "completed";

export const FILTERS: readonly { value: Filter; label: string; hash: string }[] = [
  { value: "all", label: "All", hash: "#/" },
  { value: "active", label: "Active", hash: "#/active" },
  { value: "completed", label: "Completed", hash: "#/completed" },
];

/** TodoMVC's routes (#/, #/active, #/completed): work on any static host and survive a reload. */
export function filterFromHash(hash: string): Filter {
  if (hash === "#/active") return "active";
  if (hash === "#/completed") return "completed";
  return "all";
}

export function useFilter(): Filter {
  const [filter, setFilter] = useState<Filter>(() => filterFromHash(window.location.hash));
  useEffect(() => {
    const sync = () => setFilter(filterFromHash(window.location.hash));
    window.addEventListener("hashchange", sync);
    return () => window.removeEventListener("hashchange", sync);
  }, []);
  return filter;
}

export function applyFilter(todos: readonly Todo[], filter: Filter): Todo[] {
  if (filter === "active") return todos.filter((t) => !t.completed);
  if (filter === "completed") return todos.filter((t) => t.completed);
  return todos.slice();
}

export function itemsLeftLabel(count: number): string {
  return `${count} ${count === 1 ? "item" : "items"} left`;
}
