import { act, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { Todo } from "../api/types";
import { flushPendingWrites } from "../offline/storage";
import { deletedLabel, UndoToast, usePendingDeletes } from "./undo";

const KEY = "todos:pending-deletes:sub-1";

function todo(id: string, title: string, completed = false): Todo {
  return {
    id, url: "", title, completed, order: 0, notes: null, due: null, priority: "normal",
    created_at: "", updated_at: "", completed_at: null, version: 1,
  };
}

const ALL = [todo("a", "Buy milk"), todo("b", "Walk the dog", true), todo("c", "Pay rent", true)];

function List({ commit, undoMs = 150 }: { commit: (todos: Todo[]) => void; undoMs?: number }) {
  const deletes = usePendingDeletes(KEY, commit, undoMs);
  const shown = ALL.filter((t) => !deletes.hidden.has(t.id));
  return (
    <>
      <ul>
        {shown.map((t) => (
          <li key={t.id}>
            {t.title}
            <button onClick={() => deletes.schedule([t], deletedLabel([t], false))}>Delete {t.title}</button>
          </li>
        ))}
      </ul>
      <button onClick={() => {
        const done = shown.filter((t) => t.completed);
        deletes.schedule(done, deletedLabel(done, true));
      }}>Clear completed</button>
      <UndoToast deletes={deletes} />
    </>
  );
}

const wait = (ms: number) => act(() => new Promise((resolve) => setTimeout(resolve, ms)));

it("hides a deleted todo at once and Undo brings it back without telling the server", async () => {
  const commit = vi.fn();
  const events = userEvent.setup();
  render(<List commit={commit} undoMs={1000} />);
  await events.click(screen.getByRole("button", { name: "Delete Buy milk" }));
  expect(screen.queryByText("Buy milk")).not.toBeInTheDocument();
  expect(screen.getByRole("status")).toHaveTextContent("Deleted “Buy milk”.");
  await events.click(screen.getByRole("button", { name: "Undo" }));
  expect(screen.getByText("Buy milk")).toBeInTheDocument();
  await wait(1200);
  expect(commit).not.toHaveBeenCalled();
  expect(localStorage.getItem(KEY)).toBeNull();
});

it("deletes for real when the toast expires, clear completed included", async () => {
  const commit = vi.fn();
  render(<List commit={commit} />);
  await userEvent.setup().click(screen.getByRole("button", { name: "Clear completed" }));
  expect(screen.getByRole("status")).toHaveTextContent("Cleared 2 completed todos.");
  expect(screen.queryByText("Pay rent")).not.toBeInTheDocument();
  await waitFor(() => expect(commit).toHaveBeenCalledWith([ALL[1], ALL[2]]));
  expect(commit).toHaveBeenCalledTimes(1);
  expect(screen.getByRole("status")).toBeEmptyDOMElement();
});

it("survives the tab closing: the next load offers the undo for the time left", async () => {
  const commit = vi.fn();
  const first = render(<List commit={commit} undoMs={60_000} />);
  await userEvent.setup().click(screen.getByRole("button", { name: "Delete Buy milk" }));
  first.unmount();
  expect(commit).not.toHaveBeenCalled();
  expect(JSON.parse(localStorage.getItem(KEY) ?? "[]")).toHaveLength(1);

  render(<List commit={commit} undoMs={60_000} />);
  expect(screen.queryByText("Buy milk")).not.toBeInTheDocument();
  await userEvent.setup().click(screen.getByRole("button", { name: "Undo" }));
  expect(screen.getByText("Buy milk")).toBeInTheDocument();
  expect(commit).not.toHaveBeenCalled();
});

it("sends a delete whose time ran out while the tab was closed", async () => {
  localStorage.setItem(KEY, JSON.stringify([{ key: "k", todos: [ALL[0]], label: "Deleted “Buy milk”", until: Date.now() - 1 }]));
  const commit = vi.fn();
  render(<List commit={commit} />);
  await waitFor(() => expect(commit).toHaveBeenCalledWith([ALL[0]]));
});

it("undoes with Ctrl+Z outside text fields, and sign-out sends what is pending", async () => {
  const commit = vi.fn();
  const events = userEvent.setup();
  render(<List commit={commit} undoMs={60_000} />);
  await events.click(screen.getByRole("button", { name: "Delete Buy milk" }));
  await events.keyboard("{Control>}z{/Control}");
  expect(screen.getByText("Buy milk")).toBeInTheDocument();

  await events.click(screen.getByRole("button", { name: "Delete Walk the dog" }));
  act(() => flushPendingWrites());
  expect(commit).toHaveBeenCalledWith([ALL[1]]);
  expect(localStorage.getItem(KEY)).toBeNull();
});

it("a second delete sends the first one now: one toast at a time", async () => {
  const commit = vi.fn();
  const events = userEvent.setup();
  render(<List commit={commit} undoMs={60_000} />);
  await events.click(screen.getByRole("button", { name: "Delete Buy milk" }));
  await events.click(screen.getByRole("button", { name: "Delete Pay rent" }));
  expect(commit).toHaveBeenCalledWith([ALL[0]]);
  expect(screen.getByRole("status")).toHaveTextContent("Deleted “Pay rent”.");
});
