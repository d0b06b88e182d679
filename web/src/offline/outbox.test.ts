import { createApiClient } from "../api/client";
import { fakeApi, makeTodo } from "../test/fakeApi";
import { idTokenFor } from "../test/jwt";
import { Outbox, overlay, VersionChain, withOutbox } from "./outbox";
import { replayOutbox } from "./replay";
import { outboxKey, sweepOutboxes } from "./storage";

const KEY = "todos:outbox:sub-1";

function setup(initial = [makeTodo("t1", "Buy milk"), makeTodo("t2", "Walk the dog")]) {
  const server = fakeApi(initial);
  // `online`: what the browser believes; `network`: whether requests get through.
  let online = true;
  let network = true;
  // What the session hands the client: this user's token, another's, or a failure to reach Cognito.
  let token: () => Promise<string | null> = async () => idTokenFor("sub-1");
  vi.spyOn(navigator, "onLine", "get").mockImplementation(() => online);
  window.dispatchEvent(new Event("online")); // no API found unreachable by an earlier test
  // The fake API answers one todo's GET too (the conflict dialog shows the server's version).
  const fetchImpl: typeof fetch = async (input, init = {}) => {
    if (!online || !network) throw new TypeError("Failed to fetch");
    const url = new URL(String(input));
    const id = /^\/todos\/([^/]+)$/.exec(url.pathname)?.[1];
    if (id && (init.method ?? "GET") === "GET") {
      const todo = server.todos.get(id);
      return new Response(JSON.stringify(todo ?? { error: { code: "not_found", message: "Gone" } }), {
        status: todo ? 200 : 404,
      });
    }
    return server.fetchImpl(input, init);
  };
  const raw = createApiClient({ apiUrl: "http://api.test", user: "sub-1", getToken: () => token(), fetchImpl });
  const outbox = new Outbox(KEY);
  const versions = new VersionChain();
  const api = withOutbox(raw, outbox, (id) => server.todos.get(id), versions);
  const reports: string[] = [];
  const replay = () => replayOutbox(raw, outbox, versions, (message) => reports.push(message));
  return {
    server, raw, api, outbox, replay, reports,
    setOnline: (value: boolean) => (online = value),
    setNetwork: (value: boolean) => (network = value),
    setToken: (value: () => Promise<string | null>) => (token = value),
  };
}

afterEach(() => vi.restoreAllMocks());

const writes = (server: ReturnType<typeof fakeApi>) => server.calls.filter((c) => c.method !== "GET");

it("queues what is done offline, shows it, and replays it in order with its keys on reconnect", async () => {
  const { server, api, outbox, replay, setOnline } = setup();
  setOnline(false);
  const created = await api.createTodo({ title: "Offline add", order: 9 }, "add-key");
  expect(created.id).toMatch(/^temp-/);
  await api.updateTodo("t1", { title: "Buy oat milk" }, 1);
  await api.updateTodo("t1", { completed: true });
  await api.deleteTodo("t2");
  expect(server.calls).toHaveLength(0);
  expect(outbox.current.writes.map((w) => w.kind)).toEqual(["create", "update", "update", "delete"]);

  // A reload: the outbox is read back from storage.
  const reloaded = new Outbox(KEY);
  expect(reloaded.current.writes).toHaveLength(4);

  setOnline(true);
  expect(await replay()).toBe("done");
  const sent = writes(server);
  expect(sent.map((c) => `${c.method} ${new URL(c.url).pathname}`)).toEqual([
    "POST /todos",
    "PATCH /todos/t1",
    "PATCH /todos/t1",
    "DELETE /todos/t2",
  ]);
  expect(sent[0]?.headers["Idempotency-Key"]).toBe("add-key");
  expect(sent[1]?.headers["If-Match"]).toBe('"1"');
  expect([...server.todos.values()].map((t) => [t.title, t.completed])).toEqual([
    ["Buy oat milk", true],
    ["Offline add", false],
  ]);
  expect(outbox.current.writes).toEqual([]);
  expect(localStorage.getItem(KEY)).toBeNull();
  // Nothing left to send twice.
  expect(await replay()).toBe("done");
  expect(writes(server)).toHaveLength(4);
});

it("two offline edits of one todo: the second's If-Match follows the first's new version", async () => {
  const { server, api, replay, setOnline } = setup();
  setOnline(false);
  await api.updateTodo("t1", { title: "One" }, 1);
  await api.updateTodo("t1", { notes: "Two" }, 1);
  setOnline(true);
  expect(await replay()).toBe("done");
  expect(writes(server).map((c) => c.headers["If-Match"])).toEqual(['"1"', '"2"']);
  expect(server.todos.get("t1")).toMatchObject({ title: "One", notes: "Two", version: 3 });
});

it("a write cut off by going offline joins the outbox, and later ones wait behind it", async () => {
  const { server, api, outbox, setOnline, setNetwork } = setup();
  const sent = api.updateTodo("t1", { completed: true });
  setOnline(false); // the connection drops while the request is on its way
  await sent;
  setOnline(true);
  await api.updateTodo("t2", { completed: true });
  expect(outbox.current.writes.map((w) => w.kind === "update" && w.id)).toEqual(["t1", "t2"]);
  expect(writes(server)).toHaveLength(0);
  setNetwork(true);
});

it("the API out of reach while the browser says online (a reloaded offline tab, a Wi-Fi without internet) is offline too", async () => {
  const { server, api, outbox, replay, setNetwork } = setup();
  setNetwork(false);
  await api.updateTodo("t1", { completed: true });
  await api.updateTodo("t2", { completed: true });
  expect(outbox.current.writes.map((w) => w.kind === "update" && w.id)).toEqual(["t1", "t2"]);
  expect(await replay()).toBe("offline");

  setNetwork(true);
  expect(await replay()).toBe("done");
  expect(writes(server)).toHaveLength(2);
  await api.updateTodo("t1", { title: "Sent at once" });
  expect(outbox.current.writes).toEqual([]);
  expect(server.todos.get("t1")).toMatchObject({ title: "Sent at once" });
});

it("a list read shows the waiting writes over the server's data", () => {
  const page = { todos: [makeTodo("t1", "Buy milk"), makeTodo("t2", "Walk")], next: null };
  const result = overlay(page, [
    { key: "a", kind: "update", id: "t1", patch: { completed: true }, title: "Buy milk" },
    { key: "b", kind: "delete", id: "t2", title: "Walk" },
    { key: "c", kind: "create", input: { title: "New" }, tempId: "temp-c" },
  ]);
  expect(result.todos.map((t) => [t.id, t.title, t.completed])).toEqual([
    ["t1", "Buy milk", true],
    ["temp-c", "New", false],
  ]);
});

it("a 412 on replay stops for the user's choice; keep mine sends it over the server's version", async () => {
  const { server, api, outbox, replay, setOnline } = setup();
  setOnline(false);
  await api.updateTodo("t1", { title: "Mine" }, 1);
  await api.deleteTodo("t2");
  server.todos.set("t1", { ...makeTodo("t1", "Theirs"), version: 2 });
  setOnline(true);

  expect(await replay()).toBe("conflict");
  expect(outbox.current.conflict?.server).toMatchObject({ title: "Theirs", version: 2 });
  expect(server.todos.has("t2")).toBe(true); // later writes wait: order is kept

  outbox.resolve("mine");
  expect(await replay()).toBe("done");
  expect(server.todos.get("t1")).toMatchObject({ title: "Mine", version: 3 });
  expect(server.todos.has("t2")).toBe(false);
});

it("keep theirs drops the offline change and carries on", async () => {
  const { server, api, outbox, replay, setOnline } = setup();
  setOnline(false);
  await api.updateTodo("t1", { title: "Mine" }, 1);
  server.todos.set("t1", { ...makeTodo("t1", "Theirs"), version: 2 });
  setOnline(true);
  expect(await replay()).toBe("conflict");
  outbox.resolve("theirs");
  expect(await replay()).toBe("done");
  expect(server.todos.get("t1")).toMatchObject({ title: "Theirs", version: 2 });
  expect(outbox.current).toEqual({ writes: [], conflict: null });
});

it("a change to a todo deleted elsewhere is reported, not lost silently", async () => {
  const { server, api, replay, reports, setOnline } = setup();
  setOnline(false);
  await api.updateTodo("t1", { completed: true });
  server.todos.delete("t1");
  setOnline(true);
  expect(await replay()).toBe("done");
  expect(reports).toEqual(["“Buy milk” was deleted on another device, so a change you made offline couldn't be saved."]);
});

it("a delete that finds the todo already gone on replay is reported too", async () => {
  const { server, api, outbox, replay, reports, setOnline } = setup();
  setOnline(false);
  await api.deleteTodo("t2");
  server.todos.delete("t2");
  setOnline(true);
  expect(await replay()).toBe("done");
  expect(outbox.current.writes).toEqual([]);
  expect(reports).toEqual(["“Walk the dog”, which you deleted offline, was no longer there to delete."]);
});

it("replays nothing under another user's token, keeps every write, and sends them once its user is back", async () => {
  const { server, api, outbox, replay, reports, setOnline, setToken } = setup();
  setOnline(false);
  await api.createTodo({ title: "A offline secret" }, "add-key");
  await api.updateTodo("t1", { title: "Renamed offline" }, 1);
  setOnline(true);
  // The session ended, and the only token at hand is someone else's.
  setToken(async () => idTokenFor("sub-2"));
  expect(await replay()).toBe("sessionExpired");
  setToken(async () => null);
  expect(await replay()).toBe("sessionExpired");
  expect(server.calls).toEqual([]);
  expect(outbox.current.writes.map((w) => w.kind)).toEqual(["create", "update"]);
  expect(reports).toEqual([]);

  setToken(async () => idTokenFor("sub-1"));
  expect(await replay()).toBe("done");
  expect([...server.todos.values()].map((t) => t.title)).toEqual(["Renamed offline", "Walk the dog", "A offline secret"]);
});

it("a write refused for want of a session waits in the outbox, shown, until the same user's session is live", async () => {
  const { server, api, outbox, replay, setToken } = setup();
  await api.deleteTodo("t2");
  setToken(async () => null); // the session has ended
  const shown = await api.updateTodo("t1", { title: "Renamed while signed out" }, 1);
  expect(shown).toMatchObject({ id: "t1", title: "Renamed while signed out" });
  await api.restoreTodo("t2");
  await api.setAllCompleted(true);
  expect(outbox.current.writes.map((w) => w.kind)).toEqual(["update", "restore", "setAll"]);
  // Another user's token is no better: the writes stay.
  setToken(async () => idTokenFor("sub-2"));
  expect(await replay()).toBe("sessionExpired");
  expect(writes(server)).toHaveLength(1);

  setToken(async () => idTokenFor("sub-1"));
  expect(await replay()).toBe("done");
  expect(writes(server).map((c) => `${c.method} ${new URL(c.url).pathname}`)).toEqual([
    "DELETE /todos/t2",
    "PATCH /todos/t1",
    "POST /todos/t2/restore",
    "PATCH /todos",
  ]);
  expect([...server.todos.values()].map((t) => [t.title, t.completed])).toEqual([
    ["Renamed while signed out", true],
    ["Walk the dog", true],
  ]);
});

it("an add refused for want of a session is not queued: its text goes back to the user", async () => {
  const { api, outbox, setToken } = setup();
  setToken(async () => null);
  await expect(api.createTodo({ title: "Typed while signed out" }, "add-key")).rejects.toThrow();
  expect(outbox.current.writes).toEqual([]);
});

it("one version chain for live and replayed writes: an edit begun before this tab's own save is no conflict", async () => {
  const { server, api, replay, reports, outbox, setOnline } = setup();
  // Begun at version 1; this tab's first save makes it 2.
  await api.updateTodo("t1", { title: "Live" }, 1);
  setOnline(false);
  await api.updateTodo("t1", { notes: "Offline, begun at 1" }, 1);
  setOnline(true);
  expect(await replay()).toBe("done");
  expect(outbox.current.conflict).toBeNull();
  expect(reports).toEqual([]);
  expect(writes(server).map((c) => c.headers["If-Match"])).toEqual(['"1"', '"2"']);
  expect(server.todos.get("t1")).toMatchObject({ title: "Live", notes: "Offline, begun at 1", version: 3 });
});

it("a write made while the sign-in service can't be reached waits in the outbox", async () => {
  const { server, api, outbox, replay, setToken } = setup();
  setToken(async () => Promise.reject(new Error("Can't reach the sign-in service.")));
  const created = await api.createTodo({ title: "While Cognito is away" }, "add-key");
  expect(created.id).toMatch(/^temp-/);
  expect(outbox.current.writes.map((w) => w.kind)).toEqual(["create"]);
  expect(await replay()).toBe("offline");
  expect(writes(server)).toEqual([]);
  setToken(async () => idTokenFor("sub-1"));
  expect(await replay()).toBe("done");
  expect(writes(server)).toHaveLength(1);
});

describe("the age limit of changes waiting on this device", () => {
  const day = 24 * 3600 * 1000;
  const stored = (title: string, changedAt?: number) =>
    JSON.stringify({ writes: [{ key: title, kind: "create", input: { title }, tempId: `temp-${title}` }], conflict: null, changedAt });

  it("stamps each change, and an outbox untouched for 7 days is discarded", async () => {
    const { api, setOnline } = setup();
    setOnline(false);
    await api.createTodo({ title: "Fresh" }, "k1");
    const changedAt = (JSON.parse(localStorage.getItem(KEY) ?? "{}") as { changedAt?: number }).changedAt ?? 0;
    expect(Math.abs(changedAt - Date.now())).toBeLessThan(1000);

    localStorage.setItem(KEY, stored("Old", Date.now() - 8 * day));
    expect(new Outbox(KEY).current.writes).toEqual([]);
    localStorage.setItem(KEY, stored("Recent", Date.now() - 6 * day));
    expect(new Outbox(KEY).current.writes).toHaveLength(1);
  });

  it("at sign-in: old outboxes go, and another account's waiting changes are mentioned, not shown", () => {
    const now = Date.now();
    localStorage.setItem(outboxKey("sub-1"), stored("Mine, old", now - 8 * day));
    localStorage.setItem(outboxKey("sub-2"), stored("Theirs, recent", now - day));
    localStorage.setItem(outboxKey("sub-3"), stored("Theirs, old", now - 30 * day));
    expect(sweepOutboxes("sub-1", now)).toEqual({ discarded: 1, othersWaiting: true });
    expect(localStorage.getItem(outboxKey("sub-1"))).toBeNull();
    expect(localStorage.getItem(outboxKey("sub-3"))).toBeNull();
    expect(localStorage.getItem(outboxKey("sub-2"))).toContain("Theirs, recent");
    // For sub-2 itself, its own changes are not "another account's".
    expect(sweepOutboxes("sub-2", now)).toEqual({ discarded: 0, othersWaiting: false });
    // Kept before outboxes had an age: the age counts from the first sweep.
    localStorage.setItem(outboxKey("sub-4"), stored("Unstamped"));
    expect(sweepOutboxes("sub-1", now)).toEqual({ discarded: 0, othersWaiting: true });
    expect(sweepOutboxes("sub-1", now + 8 * day)).toEqual({ discarded: 0, othersWaiting: false });
  });
});

it("undoing a delete that is still waiting drops it; one that was sent is restored on the server", async () => {
  const { server, api, outbox, replay, setOnline } = setup();
  setOnline(false);
  await api.deleteTodo("t1");
  await api.restoreTodo("t1");
  expect(outbox.current.writes).toEqual([]);
  setOnline(true);
  expect(await replay()).toBe("done");
  expect(server.calls).toHaveLength(0);

  await api.deleteTodo("t2");
  await api.restoreTodo("t2");
  expect(writes(server).map((c) => `${c.method} ${new URL(c.url).pathname}`)).toEqual([
    "DELETE /todos/t2",
    "POST /todos/t2/restore",
  ]);
  expect([...server.todos.keys()]).toEqual(["t1", "t2"]);
});
