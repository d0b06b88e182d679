import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Button } from "./Button";

describe("Button", () => {
  it("is a plain button unless told to submit, so it never submits a form by accident", async () => {
    const submitted = vi.fn((event: Event) => event.preventDefault());
    render(
      <form onSubmit={(event) => submitted(event.nativeEvent)}>
        <Button>Cancel</Button>
        <Button type="submit" variant="primary">
          Save
        </Button>
      </form>,
    );
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(submitted).not.toHaveBeenCalled();
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(submitted).toHaveBeenCalledTimes(1);
  });

  it("styles by variant and size, and adds the caller's layout classes", () => {
    render(
      <>
        <Button variant="primary">Add</Button>
        <Button variant="danger" size="icon" aria-label="Delete" className="ml-auto" />
      </>,
    );
    expect(screen.getByRole("button", { name: "Add" })).toHaveClass("bg-indigo-600", "px-3");
    const remove = screen.getByRole("button", { name: "Delete" });
    expect(remove).toHaveClass("size-9", "hover:text-red-700", "ml-auto");
    expect(remove).not.toHaveClass("bg-indigo-600");
  });
});
