/** An in-memory stand-in for the todo API, answering the real client's fetch calls. */
import type { Todo } from "../api/types";

export interface Failure {
  method: string;
  /** 0: the request never gets an answer (network error). */
  status: number;
  /** 1: fail after the server did the work (the answer is lost on the way back). */
  afterWork?: boolean;
  code?: string;
  message?: string;
}

export function makeTodo(id: string, title: string, extra: Partial<Todo> = {}): Todo {
  return {
    id,
    url: `http://api.test/todos/${id}`,
    title,
    completed: false,
    order: Number(id.replace(/\D/g, "")) || 0,
    notes: null,
    due: null,
    priority: "normal",
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    completed_at: null,
    version: 1,
    ...extra,
  };
}

export function fakeApi(initial: Todo[] = [], pageSize = 50) {
  const todos = new Map(initial.map((t) => [t.id, { ...t }]));
  // Deleted todos, restorable (POST /todos/{id}/restore) as the API keeps them.
  const deleted = new Map<string, Todo>();
  const failures: Failure[] = [];
  const calls: { method: string; url: string; headers: Record<string, string>; body: unknown }[] = [];
  let nextId = 1000;
  const byIdempotencyKey = new Map<string, Todo>();
  // While set, list reads wait for it: a refetch that is still on its way.
  let heldGets: Promise<void> | null = null;

  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(body === null ? null : JSON.stringify(body), {
      status,
      headers: { "Content-Type": "application/json", ...headers },
    });

  const fetchImpl = async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const method = init.method ?? "GET";
    const headers = (init.headers ?? {}) as Record<string, string>;
    const body = init.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ method, url: url.toString(), headers, body });
    const index = failures.findIndex((f) => f.method === method);
    const failure = index >= 0 ? (failures.splice(index, 1)[0] as Failure) : undefined;
    const fail = (f: Failure) => {
      if (f.status === 0) throw new TypeError("Failed to fetch");
      return json(f.status, { error: { code: f.code ?? "failed", message: f.message ?? "It broke." } });
    };
    if (failure && !failure.afterWork) return fail(failure);
    const answer = await serve(url, method, headers, body);
    return failure ? fail(failure) : answer;
  };

  const serve = async (url: URL, method: string, headers: Record<string, string>, body: Todo) => {
    const sorted = [...todos.values()].sort((a, b) => a.order - b.order || (a.id < b.id ? -1 : 1));
    const id = url.pathname.split("/")[2];
    if (url.pathname === "/todos" && method === "GET") {
      if (heldGets) await heldGets;
      const start = Number(url.searchParams.get("cursor") ?? 0);
      const page = sorted.slice(start, start + pageSize);
      const more = start + pageSize < sorted.length;
      const link: Record<string, string> = more
        ? { Link: `</todos?limit=${pageSize}&cursor=${start + pageSize}>; rel="next"` }
        : {};
      return json(200, page, link);
    }
    if (url.pathname === "/todos" && method === "POST") {
      const key = headers["Idempotency-Key"];
      const replayed = key ? byIdempotencyKey.get(key) : undefined;
      if (replayed) return json(201, replayed, { Location: replayed.url, "Idempotent-Replayed": "true" });
      const todo = makeTodo(`t${nextId++}`, body.title, { ...body });
      todos.set(todo.id, todo);
      if (key) byIdempotencyKey.set(key, todo);
      return json(201, todo, { Location: todo.url });
    }
    if (url.pathname === "/todos" && method === "PATCH") {
      sorted.forEach((t) => todos.set(t.id, { ...t, completed: body.completed, version: t.version + 1 }));
      return json(200, { updated: sorted.length });
    }
    if (url.pathname === "/todos" && method === "DELETE") {
      sorted.filter((t) => t.completed).forEach((t) => todos.delete(t.id) && deleted.set(t.id, t));
      return json(204, null);
    }
    if (id && url.pathname === `/todos/${id}/restore` && method === "POST") {
      const restored = deleted.get(id);
      if (!restored) return json(404, { error: { code: "not_found", message: "Nothing to restore." } });
      deleted.delete(restored.id);
      todos.set(restored.id, restored);
      return json(204, null);
    }
    const todo = id ? todos.get(id) : undefined;
    if (!todo) return json(404, { error: { code: "not_found", message: "No such todo." } });
    if (method === "PATCH") {
      const ifMatch = headers["If-Match"];
      if (ifMatch && ifMatch !== `"${todo.version}"`) {
        return json(412, { error: { code: "precondition_failed", message: "Stale." } });
      }
      const saved = { ...todo, ...body, version: todo.version + 1 };
      todos.set(todo.id, saved);
      return json(200, saved, { ETag: `"${saved.version}"` });
    }
    if (method === "DELETE") {
      todos.delete(todo.id);
      deleted.set(todo.id, todo);
      return json(204, null);
    }
    return json(405, { error: { code: "method_not_allowed", message: "No." } });
  };

  return {
    fetchImpl: fetchImpl as typeof fetch,
    todos,
    calls,
    failNext: (failure: Failure) => failures.push(failure),
    /** Makes list reads wait until the returned function is called. */
    holdListReads: () => {
      let release = () => {};
      heldGets = new Promise((resolve) => {
        release = () => {
          heldGets = null;
          resolve();
        };
      });
      return release;
    },
  };
}
