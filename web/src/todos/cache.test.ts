import { makeTodo } from "../test/fakeApi";
import { flatten, nextOrder, reorder } from "./cache";

const list = (orders: number[]) => orders.map((order, i) => makeTodo(`t${i}`, `todo ${i}`, { order }));

describe("reorder", () => {
  it("reshuffles only the moved stretch's own order values", () => {
    const todos = list([10, 20, 30, 40]);
    // Move the last one to the second place.
    const changes = reorder(todos, "t3", "t1");
    expect(Object.fromEntries(changes)).toEqual({ t3: 20, t1: 30, t2: 40 });
  });
  it("moving down works the same way", () => {
    const changes = reorder(list([1, 2, 3]), "t0", "t1");
    expect(Object.fromEntries(changes)).toEqual({ t0: 2, t1: 1 });
  });
  it("renumbers the whole list when orders tie", () => {
    const changes = reorder(list([0, 0, 0]), "t2", "t0");
    // t2 keeps 0 (unchanged, so not sent); the others make room after it.
    expect(Object.fromEntries(changes)).toEqual({ t0: 1, t1: 2 });
  });
  it("does nothing for a move onto itself", () => {
    expect(reorder(list([1, 2]), "t0", "t0").size).toBe(0);
  });
});

describe("flatten", () => {
  it("joins pages in server order and drops a todo seen twice", () => {
    const a = makeTodo("t1", "a", { order: 2 });
    const b = makeTodo("t2", "b", { order: 1 });
    const data = { pages: [{ todos: [a, b], next: "x" }, { todos: [a], next: null }], pageParams: [null, "x"] };
    expect(flatten(data).map((t) => t.title)).toEqual(["b", "a"]);
  });
});

describe("nextOrder", () => {
  it("sorts a new todo after everything loaded and grows with time", () => {
    const now = Date.UTC(2026, 0, 1);
    const clock = nextOrder([], now);
    expect(nextOrder([], now + 5000)).toBe(clock + 5);
    expect(nextOrder(list([clock + 100]), now)).toBe(clock + 101);
  });
});
