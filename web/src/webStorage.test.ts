import { local, session } from "./webStorage";

afterEach(() => vi.restoreAllMocks());

it("keeps strings and JSON, lists keys by prefix, and forgets them", () => {
  local.set("theme", "dark");
  local.setJson("todos:outbox:a", { writes: [1] });
  local.setJson("todos:outbox:b", { writes: [] });
  expect(local.get("theme")).toBe("dark");
  expect(local.getJson("todos:outbox:a")).toEqual({ writes: [1] });
  expect(local.getJson("missing", "unused")).toBeNull();
  expect(local.keys("todos:outbox:").sort()).toEqual(["todos:outbox:a", "todos:outbox:b"]);
  local.remove("theme");
  expect(local.get("theme")).toBeNull();
  session.set("draft", "x");
  session.clear();
  expect(session.get("draft")).toBeNull();
  expect(local.getJson("todos:outbox:a")).toEqual({ writes: [1] });
});

it("a value that is not JSON reads as unreadable, not as an error", () => {
  localStorage.setItem("broken", "{not json");
  expect(local.getJson("broken")).toBeNull();
  expect(local.getJson("broken", { kept: true })).toEqual({ kept: true });
});

it("blocked or full storage never throws: reads find nothing (or the fallback), writes keep nothing", () => {
  const blocked = () => {
    throw new DOMException("The operation is insecure.", "SecurityError");
  };
  vi.spyOn(Storage.prototype, "getItem").mockImplementation(blocked);
  vi.spyOn(Storage.prototype, "setItem").mockImplementation(blocked);
  vi.spyOn(Storage.prototype, "removeItem").mockImplementation(blocked);
  vi.spyOn(Storage.prototype, "key").mockImplementation(blocked);
  vi.spyOn(Storage.prototype, "clear").mockImplementation(blocked);
  expect(session.get("auth:session")).toBeNull();
  expect(session.getJson("auth:owner", { sub: "in memory" })).toEqual({ sub: "in memory" });
  expect(() => {
    session.setJson("auth:session", { idToken: "t" });
    local.set("theme", "dark");
    local.remove("theme");
    session.clear();
  }).not.toThrow();
  expect(local.keys("todos:")).toEqual([]);
});
