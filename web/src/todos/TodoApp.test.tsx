import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createApiClient } from "../api/client";
import { fakeApi, makeTodo } from "../test/fakeApi";
import { idTokenFor } from "../test/jwt";
import { NoticeList, NoticesProvider } from "../ui/notices";
import TodoApp from "./TodoApp";

function setup(server: ReturnType<typeof fakeApi>, queryClient = newQueryClient()) {
  const api = createApiClient({ apiUrl: "http://api.test", user: "sub-1", getToken: async () => idTokenFor("sub-1"), fetchImpl: server.fetchImpl });
  const user = userEvent.setup();
  render(
    <QueryClientProvider client={queryClient}>
      <NoticesProvider>
        <TodoApp api={api} user="sub-1" />
        <NoticeList />
      </NoticesProvider>
    </QueryClientProvider>,
  );
  return { user };
}

function newQueryClient() {
  return new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
}

const rowOf = (title: string) => screen.getByText(title, { selector: "span" }).closest("li") as HTMLElement;
const writes = (server: ReturnType<typeof fakeApi>) => server.calls.filter((c) => c.method !== "GET");

describe("TodoApp", () => {
  it("shows a skeleton while loading, then the todos and a pluralised count", async () => {
    const server = fakeApi([makeTodo("t1", "Buy milk"), makeTodo("t2", "Walk dog", { completed: true })]);
    setup(server);
    expect(screen.getByText("Loading your todos…")).toBeInTheDocument();
    expect(await screen.findByText("Buy milk")).toBeInTheDocument();
    expect(screen.getByText("1 item left")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Clear completed" })).toBeInTheDocument();
  });

  it("shows an empty state with no todos, and no footer or toggle-all", async () => {
    setup(fakeApi());
    expect(await screen.findByText("Nothing to do yet")).toBeInTheDocument();
    expect(screen.queryByLabelText("Mark all as complete")).not.toBeInTheDocument();
    expect(screen.queryByText(/items? left/)).not.toBeInTheDocument();
  });

  it("adds on Enter, trims the title and ignores blank input", async () => {
    const server = fakeApi();
    const { user } = setup(server);
    await screen.findByText("Nothing to do yet");
    const box = screen.getByLabelText("New todo");
    await user.type(box, "   {Enter}");
    expect(writes(server)).toHaveLength(0);
    await user.type(box, "  Water plants  {Enter}");
    expect(box).toHaveValue("");
    expect(await screen.findByText("Water plants")).toBeInTheDocument();
    await waitFor(() => expect(writes(server)).toHaveLength(1));
    expect(writes(server)[0]?.body).toMatchObject({ title: "Water plants" });
    expect(await screen.findByText("1 item left")).toBeInTheDocument();
  });

  it("retries an add whose answer was lost, or that met a busy server, with the same Idempotency-Key: one todo each", async () => {
    const server = fakeApi();
    const { user } = setup(server);
    await screen.findByText("Nothing to do yet");
    // The server saves the todo but the answer never arrives; then the retry meets a 503.
    server.failNext({ method: "POST", status: 0, afterWork: true });
    server.failNext({ method: "POST", status: 503 });
    await user.type(screen.getByLabelText("New todo"), "Call mum{Enter}");
    await waitFor(() => expect(writes(server)).toHaveLength(3), { timeout: 8000 });
    const keys = writes(server).map((c) => c.headers["Idempotency-Key"]);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toBeTruthy();
    expect([...server.todos.values()].map((t) => t.title)).toEqual(["Call mum"]);
    expect(await screen.findByText("1 item left")).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();

    // The next add is another action: a new key.
    await user.type(screen.getByLabelText("New todo"), "Water plants{Enter}");
    await waitFor(() => expect(writes(server)).toHaveLength(4));
    expect(writes(server)[3]?.headers["Idempotency-Key"]).not.toBe(keys[0]);
  }, 15_000);

  it("an add whose answer never arrives waits and is sent again as the same add: same key and body, still one todo", async () => {
    const server = fakeApi();
    const { user } = setup(server);
    await screen.findByText("Nothing to do yet");
    // Saved by the server, but the answer is lost on the way: the API looks out of reach.
    server.failNext({ method: "POST", status: 0, afterWork: true });
    await user.type(screen.getByLabelText("New todo"), "Pay rent{Enter}");
    await waitFor(() => expect(writes(server)).toHaveLength(2));
    const [first, again] = writes(server);
    expect(again?.headers["Idempotency-Key"]).toBe(first?.headers["Idempotency-Key"]);
    expect(again?.body).toEqual(first?.body);
    expect(await screen.findByText("1 item left")).toBeInTheDocument();
    expect([...server.todos.values()].map((t) => t.title)).toEqual(["Pay rent"]);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("rolls a failed toggle back and shows a dismissible error", async () => {
    const server = fakeApi([makeTodo("t1", "Buy milk")]);
    const { user } = setup(server);
    await screen.findByText("Buy milk");
    const checkbox = within(rowOf("Buy milk")).getByRole("checkbox");
    server.failNext({ method: "PATCH", status: 503, message: "The service is busy." });
    await user.click(checkbox);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The service is busy.");
    expect(checkbox).not.toBeChecked();
    expect(screen.getByText("1 item left")).toBeInTheDocument();
    await user.click(within(alert).getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("a change made while the list is being re-read shows at once and stays", async () => {
    const server = fakeApi([makeTodo("t1", "Buy milk")]);
    const queryClient = newQueryClient();
    const { user } = setup(server, queryClient);
    await screen.findByText("Buy milk");
    const release = server.holdListReads();
    void queryClient.invalidateQueries({ queryKey: ["todos"] });
    await waitFor(() => expect(server.calls.filter((c) => c.method === "GET")).toHaveLength(2));
    await user.click(within(rowOf("Buy milk")).getByRole("checkbox"));
    expect(within(rowOf("Buy milk")).getByRole("checkbox")).toBeChecked();
    expect(screen.queryByText("Couldn't load your todos.")).not.toBeInTheDocument();
    release();
    await waitFor(() => expect(server.todos.get("t1")?.completed).toBe(true));
    expect(screen.queryByText("Couldn't load your todos.")).not.toBeInTheDocument();
    expect(screen.getByText("0 items left")).toBeInTheDocument();
  });

  it("explains a conflict (412) and shows the latest version", async () => {
    const server = fakeApi([makeTodo("t1", "Draft")]);
    const { user } = setup(server);
    await screen.findByText("Draft");
    // Someone else saves first.
    server.todos.set("t1", makeTodo("t1", "Draft (theirs)", { version: 2 }));
    await user.dblClick(screen.getByText("Draft"));
    const edit = screen.getByRole("textbox", { name: "Edit “Draft”" });
    await user.clear(edit);
    await user.type(edit, "Draft (mine){Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent("changed in another tab or device");
    expect(await screen.findByText("Draft (theirs)")).toBeInTheDocument();
    const patch = server.calls.find((c) => c.method === "PATCH");
    expect(patch?.headers["If-Match"]).toBe('"1"');
  });

  it("doesn't mistake this tab's own quick successive edits for a conflict", async () => {
    const server = fakeApi([makeTodo("t1", "v1")]);
    const { user } = setup(server);
    await screen.findByText("v1");
    for (const [from, to] of [["v1", "v2"], ["v2", "v3"], ["v3", "v4"]] as const) {
      await user.dblClick(screen.getByText(from));
      const edit = screen.getByRole("textbox", { name: `Edit “${from}”` });
      await user.clear(edit);
      await user.type(edit, `${to}{Enter}`);
    }
    await waitFor(() => expect(server.todos.get("t1")?.title).toBe("v4"));
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("a long paste is cut visibly, never silently: only what was shown is saved", async () => {
    const server = fakeApi();
    const { user } = setup(server);
    await screen.findByText("Nothing to do yet");
    const box = screen.getByLabelText("New todo");
    box.focus();
    fireEvent.paste(box, { clipboardData: { getData: () => "y".repeat(5000) } });
    expect(box).toHaveValue("y".repeat(500));
    expect(box).toHaveAccessibleDescription(/4,500 characters were left out/);
    await user.type(box, "{Enter}");
    await waitFor(() => expect([...server.todos.values()].map((t) => t.title.length)).toEqual([500]));
  });

  it("Escape cancels an edit; an emptied title deletes the todo", async () => {
    const server = fakeApi([makeTodo("t1", "Keep me"), makeTodo("t2", "Remove me")]);
    const { user } = setup(server);
    await screen.findByText("Keep me");
    await user.dblClick(screen.getByText("Keep me"));
    await user.type(screen.getByRole("textbox", { name: "Edit “Keep me”" }), " changed{Escape}");
    expect(screen.getByText("Keep me")).toBeInTheDocument();

    await user.dblClick(screen.getByText("Remove me"));
    await user.clear(screen.getByRole("textbox", { name: "Edit “Remove me”" }));
    await user.keyboard("{Enter}");
    await waitFor(() => expect(screen.queryByText("Remove me")).not.toBeInTheDocument());
    // Sent at once, while the Undo toast is up.
    expect(screen.getByText("Deleted “Remove me”.")).toBeInTheDocument();
    await waitFor(() => expect(writes(server).map((c) => c.method)).toEqual(["DELETE"]));
    expect(server.todos.has("t2")).toBe(false);
  });

  it("deletes at once, and Undo restores the todo on the server in its place", async () => {
    const server = fakeApi([makeTodo("t1", "First"), makeTodo("t2", "Second"), makeTodo("t3", "Third")]);
    const { user } = setup(server);
    await screen.findByText("Second");
    await user.click(within(rowOf("Second")).getByRole("button", { name: "Delete “Second”" }));
    await waitFor(() => expect(server.todos.has("t2")).toBe(false));
    expect(localStorage.length).toBe(0);
    await user.click(screen.getByRole("button", { name: "Undo" }));
    expect(screen.getAllByText(/^(First|Second|Third)$/, { selector: "span" }).map((e) => e.textContent)).toEqual(["First", "Second", "Third"]);
    await waitFor(() => expect(server.todos.get("t2")?.version).toBe(1));
    expect(writes(server).map((c) => `${c.method} ${new URL(c.url).pathname}`)).toEqual([
      "DELETE /todos/t2",
      "POST /todos/t2/restore",
    ]);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("keeps toggle-all in sync and hides Clear completed when nothing is completed", async () => {
    const server = fakeApi([makeTodo("t1", "One"), makeTodo("t2", "Two")]);
    const { user } = setup(server);
    await screen.findByText("One");
    const toggleAll = screen.getByLabelText("Mark all as complete");
    expect(screen.queryByRole("button", { name: "Clear completed" })).not.toBeInTheDocument();
    await user.click(toggleAll);
    expect(screen.getByText("0 items left")).toBeInTheDocument();
    expect(toggleAll).toBeChecked();
    await user.click(within(rowOf("One")).getByRole("checkbox"));
    expect(toggleAll).not.toBeChecked();
    await user.click(screen.getByRole("button", { name: "Clear completed" }));
    await waitFor(() => expect(screen.queryByText("Two")).not.toBeInTheDocument());
    expect(screen.getByText("Cleared 1 completed todo.")).toBeInTheDocument();
    // The writes reached the server in the order they were made, the delete at once.
    await waitFor(() => expect(writes(server).map((c) => c.method)).toEqual(["PATCH", "PATCH", "DELETE"]));
  });

  it("filters by the URL hash", async () => {
    window.location.hash = "#/completed";
    setup(fakeApi([makeTodo("t1", "Open"), makeTodo("t2", "Done", { completed: true })]));
    expect(await screen.findByText("Done")).toBeInTheDocument();
    expect(screen.queryByText("Open")).not.toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Completed" })).toHaveAttribute("aria-current", "page");
  });

  it("loads more pages through the Link header", async () => {
    const server = fakeApi([makeTodo("t1", "One"), makeTodo("t2", "Two"), makeTodo("t3", "Three")], 2);
    const { user } = setup(server);
    await screen.findByText("Two");
    expect(screen.queryByText("Three")).not.toBeInTheDocument();
    expect(screen.getByText(/more to load/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Load more" }));
    expect(await screen.findByText("Three")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
    expect(screen.getByText("3 items left")).toBeInTheDocument();
  });

  it("reorders with the Move buttons and saves only the todos whose order changed", async () => {
    const server = fakeApi([makeTodo("t1", "One"), makeTodo("t2", "Two"), makeTodo("t3", "Three")]);
    const { user } = setup(server);
    await screen.findByText("Three");
    await user.click(screen.getByRole("button", { name: "Details for “Three”" }));
    await user.click(screen.getByRole("button", { name: "↑ Move up" }));
    const titles = () => within(screen.getByRole("list", { name: "Todos" })).getAllByText(/^(One|Two|Three)$/).map((e) => e.textContent);
    expect(titles()).toEqual(["One", "Three", "Two"]);
    await waitFor(() => expect(writes(server)).toHaveLength(2));
    expect(writes(server).map((c) => [c.url.split("/").pop(), c.body])).toEqual([
      ["t3", { order: 2 }],
      ["t2", { order: 3 }],
    ]);
    expect(writes(server).every((c) => !("If-Match" in c.headers))).toBe(true);
  });

  it("saves notes, due date and priority from the details panel", async () => {
    const server = fakeApi([makeTodo("t1", "Taxes")]);
    const { user } = setup(server);
    await screen.findByText("Taxes");
    await user.click(screen.getByRole("button", { name: "Details for “Taxes”" }));
    await user.type(screen.getByLabelText("Notes"), "Find receipts");
    await user.selectOptions(screen.getByLabelText("Priority"), "high");
    await user.click(screen.getByRole("button", { name: "Save details" }));
    expect(await screen.findByText("High priority")).toBeInTheDocument();
    await waitFor(() => expect(writes(server)[0]?.body).toEqual({ notes: "Find receipts", priority: "high" }));
  });
});
