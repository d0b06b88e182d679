import { act, fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import type { Todo } from "../api/types";
import { deletedLabel, UndoToast, useUndoDeletes } from "./undo";

function todo(id: string, title: string, completed = false): Todo {
  return {
    id, url: "", title, completed, order: 0, notes: null, due: null, priority: "normal",
    created_at: "", updated_at: "", completed_at: null, version: 1,
  };
}

const ALL = [todo("a", "Buy milk"), todo("b", "Walk the dog", true), todo("c", "Pay rent", true)];

/** A list whose deletes go to `send` at once, as TodoApp's do. */
function List({ send, restore, undoMs = 1000 }: { send: (todos: Todo[]) => void; restore: (todos: Todo[]) => void; undoMs?: number }) {
  const [shown, setShown] = useState(ALL);
  const deletes = useUndoDeletes((back) => {
    restore(back);
    setShown((current) => [...current, ...back]);
  }, undoMs);
  const remove = (gone: Todo[], label: string) => {
    setShown((current) => current.filter((t) => !gone.includes(t)));
    send(gone);
    deletes.offer(gone, label);
  };
  return (
    <>
      <ul>
        {shown.map((t) => (
          <li key={t.id}>
            {t.title}
            <button onClick={() => remove([t], deletedLabel([t], false))}>Delete {t.title}</button>
          </li>
        ))}
      </ul>
      <button onClick={() => remove(shown.filter((t) => t.completed), deletedLabel(shown.filter((t) => t.completed), true))}>
        Clear completed
      </button>
      <UndoToast deletes={deletes} />
    </>
  );
}

// The toast's time is the test's to move: a loaded machine cannot make it expire early.
const wait = (ms: number) => act(() => void vi.advanceTimersByTime(ms));
const click = (name: string) => fireEvent.click(screen.getByRole("button", { name }));
const ctrlZ = () => fireEvent.keyDown(document.body, { key: "z", ctrlKey: true });

beforeEach(() => {
  localStorage.clear();
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

it("sends the delete at once, keeps nothing on the device, and Undo restores", () => {
  const send = vi.fn();
  const restore = vi.fn();
  render(<List send={send} restore={restore} undoMs={1000} />);
  click("Delete Buy milk");
  expect(send).toHaveBeenCalledWith([ALL[0]]);
  expect(localStorage.length).toBe(0);
  expect(screen.queryByText("Buy milk")).not.toBeInTheDocument();
  expect(screen.getByRole("status")).toHaveTextContent("Deleted “Buy milk”.");
  click("Undo");
  expect(restore).toHaveBeenCalledWith([ALL[0]]);
  expect(screen.getByText("Buy milk")).toBeInTheDocument();
  expect(screen.getByRole("status")).toBeEmptyDOMElement();
  wait(2000);
  expect(send).toHaveBeenCalledTimes(1);
  expect(restore).toHaveBeenCalledTimes(1);
});

it("the toast goes when its time is up and the delete stays done; clear completed restores all", () => {
  const send = vi.fn();
  const restore = vi.fn();
  render(<List send={send} restore={restore} />);
  click("Delete Buy milk");
  wait(999);
  expect(screen.getByRole("status")).toHaveTextContent("Deleted “Buy milk”.");
  wait(1);
  expect(screen.getByRole("status")).toBeEmptyDOMElement();
  expect(restore).not.toHaveBeenCalled();

  click("Clear completed");
  expect(send).toHaveBeenLastCalledWith([ALL[1], ALL[2]]);
  expect(screen.getByRole("status")).toHaveTextContent("Cleared 2 completed todos.");
  click("Undo");
  expect(restore).toHaveBeenCalledWith([ALL[1], ALL[2]]);
  expect(screen.getByText("Pay rent")).toBeInTheDocument();
});

it("undoes with Ctrl+Z outside text fields; a second delete replaces the toast", () => {
  const send = vi.fn();
  const restore = vi.fn();
  render(<List send={send} restore={restore} undoMs={60_000} />);
  click("Delete Buy milk");
  ctrlZ();
  expect(restore).toHaveBeenCalledWith([ALL[0]]);

  click("Delete Walk the dog");
  click("Delete Pay rent");
  expect(screen.getByRole("status")).toHaveTextContent("Deleted “Pay rent”.");
  ctrlZ();
  expect(restore).toHaveBeenLastCalledWith([ALL[2]]);
  expect(restore).toHaveBeenCalledTimes(2); // "Walk the dog" stays deleted
  expect(screen.queryByText("Walk the dog")).not.toBeInTheDocument();
});

it("stays while the pointer is on it", () => {
  render(<List send={vi.fn()} restore={vi.fn()} />);
  click("Delete Buy milk");
  fireEvent.mouseEnter(screen.getByRole("button", { name: "Undo" }));
  wait(5000);
  expect(screen.getByRole("status")).toHaveTextContent("Deleted “Buy milk”.");
  fireEvent.mouseLeave(screen.getByRole("button", { name: "Undo" }));
  wait(2999);
  expect(screen.getByRole("status")).toHaveTextContent("Deleted “Buy milk”.");
  wait(1);
  expect(screen.getByRole("status")).toBeEmptyDOMElement();
});
