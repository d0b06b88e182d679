/**
 * What every write to the todo list shares: the user's API client (with the outbox in
 * front of its writes, the one place a write waits: offline/outbox.ts), the tab's
 * version chain, and the mutation scope that sends live writes one at a time in the
 * order the user made them (TanStack Query runs the mutations of one scope in series).
 */
import { createContext, useContext, useMemo, type ReactNode } from "react";
import type { ApiClient } from "../api/client";
import type { VersionChain } from "../offline/outbox";

export interface TodoWrites {
  api: ApiClient;
  versions: VersionChain;
}

/** Given to every write's useMutation: a toggle made just after "mark all" reaches the server after it. */
export const IN_ORDER = { scope: { id: "todo-writes" } } as const;

const TodoWritesContext = createContext<TodoWrites | null>(null);

export function TodoWritesProvider({ api, versions, children }: TodoWrites & { children: ReactNode }) {
  const value = useMemo(() => ({ api, versions }), [api, versions]);
  return <TodoWritesContext.Provider value={value}>{children}</TodoWritesContext.Provider>;
}

export function useTodoWrites(): TodoWrites {
  const value = useContext(TodoWritesContext);
  if (!value) throw new Error("useTodoWrites needs a TodoWritesProvider");
  return value;
}
