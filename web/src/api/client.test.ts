import { ApiError, OtherUserError, SessionExpiredError, createApiClient, parseNextLink } from "./client";
import { fakeApi, makeTodo } from "../test/fakeApi";
import { idTokenFor } from "../test/jwt";

const tok = idTokenFor("sub-1");

describe("parseNextLink", () => {
  it("resolves the next link against the request URL", () => {
    expect(parseNextLink('</todos?cursor=abc&limit=2>; rel="next"', "http://api.test/todos")).toBe(
      "http://api.test/todos?cursor=abc&limit=2",
    );
  });
  it("finds rel=next among other links and rel values", () => {
    const header = '<https://x.test/a>; rel="prev", <https://x.test/b>; rel="last next"';
    expect(parseNextLink(header, "https://x.test/")).toBe("https://x.test/b");
  });
  it("is null without a next link", () => {
    expect(parseNextLink(null, "http://api.test")).toBeNull();
    expect(parseNextLink('<https://x.test/a>; rel="prev"', "http://api.test")).toBeNull();
  });
});

describe("createApiClient", () => {
  it("sends the ID token, follows Link pages, and adds Idempotency-Key and If-Match", async () => {
    const server = fakeApi([makeTodo("t1", "one"), makeTodo("t2", "two"), makeTodo("t3", "three")], 2);
    const api = createApiClient({ apiUrl: "http://api.test/", user: "sub-1", getToken: async () => tok, fetchImpl: server.fetchImpl });

    const first = await api.listTodos(null);
    expect(first.todos.map((t) => t.title)).toEqual(["one", "two"]);
    expect(first.next).toBe("http://api.test/todos?limit=2&cursor=2");
    const second = await api.listTodos(first.next);
    expect(second.todos.map((t) => t.title)).toEqual(["three"]);
    expect(second.next).toBeNull();

    await api.createTodo({ title: "new" }, "key-1");
    await api.updateTodo("t1", { title: "uno" }, 1);
    const [post, patch] = server.calls.slice(-2);
    expect(post?.headers).toMatchObject({ Authorization: `Bearer ${tok}`, "Idempotency-Key": "key-1" });
    expect(patch?.headers).toMatchObject({ "If-Match": '"1"', "Content-Type": "application/json" });
  });

  it("turns error bodies into ApiError with the server's message", async () => {
    const server = fakeApi([makeTodo("t1", "one")]);
    const api = createApiClient({ apiUrl: "http://api.test", user: "sub-1", getToken: async () => tok, fetchImpl: server.fetchImpl });
    server.failNext({ method: "PATCH", status: 400, code: "invalid", message: "title is too long" });
    const error = await api.updateTodo("t1", { title: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: "invalid", message: "title is too long" });
    const stale = await api.updateTodo("t1", { title: "y" }, 99).catch((e: unknown) => e);
    expect(stale).toMatchObject({ status: 412 });
  });

  it("on a 401 renews the token once and retries; refused again, the session has ended", async () => {
    const server = fakeApi();
    const expired = vi.fn();
    const renewals: boolean[] = [];
    const getToken = async (renew = false) => {
      renewals.push(renew);
      return tok;
    };
    const api = createApiClient({ apiUrl: "http://api.test", user: "sub-1", getToken, onSessionExpired: expired, fetchImpl: server.fetchImpl });
    server.failNext({ method: "GET", status: 401 });
    await expect(api.listTodos(null)).resolves.toMatchObject({ todos: [] });
    expect(renewals).toEqual([false, true]);
    expect(expired).not.toHaveBeenCalled();

    server.failNext({ method: "GET", status: 401 });
    server.failNext({ method: "GET", status: 401 });
    await expect(api.listTodos(null)).rejects.toBeInstanceOf(SessionExpiredError);
    expect(expired).toHaveBeenCalledTimes(1);

    const signedOut = createApiClient({ apiUrl: "http://api.test", user: "sub-1", getToken: async () => null, onSessionExpired: expired, fetchImpl: server.fetchImpl });
    await expect(signedOut.listTodos(null)).rejects.toBeInstanceOf(SessionExpiredError);
    expect(expired).toHaveBeenCalledTimes(2);
  });

  it("never sends a token issued to another user than its own", async () => {
    const server = fakeApi([makeTodo("t1", "one")]);
    const expired = vi.fn();
    const api = createApiClient({
      apiUrl: "http://api.test",
      user: "sub-1",
      getToken: async () => idTokenFor("sub-2"),
      onSessionExpired: expired,
      fetchImpl: server.fetchImpl,
    });
    await expect(api.createTodo({ title: "secret" }, "k")).rejects.toBeInstanceOf(OtherUserError);
    await expect(api.listTodos(null)).rejects.toBeInstanceOf(SessionExpiredError);
    await expect(createApiClient({ apiUrl: "http://api.test", user: "sub-1", getToken: async () => "not-a-jwt", fetchImpl: server.fetchImpl }).deleteTodo("t1")).rejects.toBeInstanceOf(OtherUserError);
    expect(server.calls).toEqual([]);
    expect(expired).toHaveBeenCalled();
  });

  it("a sign-in service out of reach is a network error, not an ended session", async () => {
    const server = fakeApi();
    const expired = vi.fn();
    const api = createApiClient({
      apiUrl: "http://api.test",
      user: "sub-1",
      getToken: async () => Promise.reject(new Error("Can't reach the sign-in service.")),
      onSessionExpired: expired,
      fetchImpl: server.fetchImpl,
    });
    await expect(api.listTodos(null)).rejects.toMatchObject({ status: 0, code: "sign_in_unreachable" });
    expect(expired).not.toHaveBeenCalled();
    expect(server.calls).toEqual([]);
  });

  it("follows a next link only on the API's own origin and never sends the token elsewhere", async () => {
    const calls: string[] = [];
    const fetchImpl = (async (input: RequestInfo | URL) => {
      calls.push(String(input));
      const link = '<https://evil.test/todos?cursor=2>; rel="next"';
      return new Response("[]", { status: 200, headers: { "Content-Type": "application/json", Link: link } });
    }) as typeof fetch;
    const api = createApiClient({ apiUrl: "https://api.test/api", user: "sub-1", getToken: async () => tok, fetchImpl });
    const page = await api.listTodos(null);
    expect(page.next).toBeNull();
    await expect(api.listTodos("https://evil.test/todos?cursor=2")).rejects.toBeInstanceOf(ApiError);
    await expect(api.listTodos("https://api.test.evil.test/api/todos")).rejects.toBeInstanceOf(ApiError);
    expect(calls).toEqual(["https://api.test/api/todos?limit=50"]);
    // Another path on the API's origin (a stage's own link) is followed.
    await api.listTodos("https://api.test/api/todos?cursor=2");
    expect(calls).toHaveLength(2);
  });

  it("sends writes so that they outlive the page (keepalive), reads not", async () => {
    const sent: Array<[string | undefined, boolean | undefined]> = [];
    const fetchImpl = (async (_input: RequestInfo | URL, init?: RequestInit) => {
      sent.push([init?.method, init?.keepalive]);
      return new Response(init?.method === "GET" ? "[]" : null, { status: init?.method === "GET" ? 200 : 204 });
    }) as typeof fetch;
    const api = createApiClient({ apiUrl: "https://api.test", user: "sub-1", getToken: async () => tok, fetchImpl });
    await api.listTodos(null);
    await api.deleteTodo("t1");
    expect(sent).toEqual([
      ["GET", false],
      ["DELETE", true],
    ]);
  });

  it("says plainly when the server can't be reached", async () => {
    const api = createApiClient({
      apiUrl: "http://api.test",
      user: "sub-1", getToken: async () => tok,
      fetchImpl: async () => {
        throw new TypeError("Failed to fetch");
      },
    });
    await expect(api.listTodos(null)).rejects.toMatchObject({ status: 0, message: expect.stringMatching(/can't reach/i) });
  });
});
