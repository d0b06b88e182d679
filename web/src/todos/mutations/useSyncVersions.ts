import { useCallback } from "react";
import type { Todo } from "../../api/types";
import { mapTodos } from "../cache";
import { useTodoCache } from "../useTodoCache";
import { useTodoWrites } from "../writes";

/**
 * After a bulk write every todo has a new version: re-reads the loaded pages and takes
 * only the server's versions, leaving optimistic edits on screen, before the next queued
 * write needs one.
 */
export function useSyncVersions() {
  const { api, versions } = useTodoWrites();
  const cache = useTodoCache();
  return useCallback(async () => {
    const loaded = cache.read()?.pages.length ?? 1;
    const fresh = new Map<string, Todo>();
    let next: string | null = null;
    for (let page = 0; page < loaded; page++) {
      const result = await api.listTodos(next);
      result.todos.forEach((todo) => fresh.set(todo.id, todo));
      next = result.next;
      if (!next) break;
    }
    cache.write((data) =>
      mapTodos(data, (t) => {
        const server = fresh.get(t.id);
        if (!server) return t;
        if (server.version > t.version) versions.record(t.id, server.version);
        return { ...t, version: server.version, updated_at: server.updated_at, completed_at: server.completed_at };
      }),
    );
  }, [api, cache, versions]);
}
