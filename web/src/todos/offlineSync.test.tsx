import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createApiClient } from "../api/client";
import { fakeApi, makeTodo } from "../test/fakeApi";
import { idTokenFor } from "../test/jwt";
import TodoApp from "./TodoApp";
import { NoticeList, NoticesProvider } from "../ui/notices";
import { outboxKey } from "../offline/storage";

function queued(title: string) {
  return JSON.stringify({
    writes: [{ key: `k-${title}`, kind: "create", input: { title }, tempId: `temp-k-${title}` }],
    conflict: null,
    changedAt: Date.now(),
  });
}

function app(server: ReturnType<typeof fakeApi>, live: boolean, getToken = async (): Promise<string | null> => idTokenFor("sub-1")) {
  const api = createApiClient({ apiUrl: "http://api.test", user: "sub-1", getToken, fetchImpl: server.fetchImpl });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return (
    <QueryClientProvider client={queryClient}>
      <NoticesProvider>
        <TodoApp api={api} user="sub-1" live={live} />
        <NoticeList />
      </NoticesProvider>
    </QueryClientProvider>
  );
}

const writes = (server: ReturnType<typeof fakeApi>) => server.calls.filter((c) => c.method !== "GET");

it("replays nothing while the session has ended, and replays once it is live again", async () => {
  localStorage.setItem(outboxKey("sub-1"), queued("Made offline"));
  const server = fakeApi([makeTodo("t1", "Existing")]);
  const { rerender } = render(app(server, false));
  expect(await screen.findByText("Existing")).toBeInTheDocument();
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(writes(server)).toEqual([]);
  expect(screen.getByText("1 change waiting")).toBeInTheDocument();

  rerender(app(server, true));
  await waitFor(() => expect(writes(server)).toHaveLength(1));
  expect(writes(server)[0]).toMatchObject({ method: "POST", body: { title: "Made offline" } });
});

it("at sign-in says another account has unsent changes on this device, without showing them", async () => {
  localStorage.setItem(outboxKey("sub-2"), queued("Their secret"));
  const server = fakeApi();
  render(app(server, true));
  const notice = await screen.findByRole("alert");
  expect(notice).toHaveTextContent("Another account has unsent changes on this device");
  expect(document.body).not.toHaveTextContent("Their secret");
  await screen.findByText("Nothing to do yet");
  expect(writes(server)).toEqual([]);
  expect(localStorage.getItem(outboxKey("sub-2"))).toContain("Their secret");
});

it("mark all while the session has ended waits in the outbox: shown, not rolled back, sent once the user is back", async () => {
  const server = fakeApi([makeTodo("t1", "Existing")]);
  let token: string | null = idTokenFor("sub-1");
  const getToken = async () => token;
  const { rerender } = render(app(server, true, getToken));
  expect(await screen.findByText("Existing")).toBeInTheDocument();
  token = null; // the session ends
  await userEvent.click(screen.getByLabelText("Mark all as complete"));
  expect(await screen.findByText("1 change waiting")).toBeInTheDocument();
  expect(screen.getByLabelText("Mark all as complete")).toBeChecked();
  expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  expect(writes(server)).toEqual([]);

  token = idTokenFor("sub-1");
  rerender(app(server, false, getToken));
  rerender(app(server, true, getToken)); // signed in again
  await waitFor(() => expect(writes(server)).toHaveLength(1));
  expect(server.todos.get("t1")).toMatchObject({ completed: true });
});
