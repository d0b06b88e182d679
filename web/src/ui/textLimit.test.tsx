import { fireEvent, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { LimitHint, pasteWithin, useTextLimit } from "./textLimit";

describe("pasteWithin", () => {
  it("keeps what fits over the selection and counts the rest", () => {
    expect(pasteWithin("ab", "12345", 1, 1, 5)).toEqual({ value: "a123b", caret: 4, leftOut: 2 });
    expect(pasteWithin("abcd", "12345", 1, 3, 5)).toEqual({ value: "a123d", caret: 4, leftOut: 2 });
    expect(pasteWithin("abc", "xy", 3, 3, 10)).toEqual({ value: "abcxy", caret: 5, leftOut: 0 });
  });

  it("never splits an emoji", () => {
    expect(pasteWithin("abcd", "😀", 4, 4, 5)).toEqual({ value: "abcd", caret: 4, leftOut: 2 });
  });
});

function Box({ limit, onSave }: { limit: number; onSave: (value: string) => void }) {
  const [value, setValue] = useState("");
  const textLimit = useTextLimit(value, setValue, limit);
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        onSave(value);
        setValue("");
      }}
    >
      <input
        aria-label="Title"
        value={value}
        maxLength={limit}
        onChange={(event) => setValue(event.target.value)}
        onPaste={textLimit.onPaste}
        aria-describedby={textLimit.hintId}
      />
      <LimitHint limit={textLimit} value={value} />
    </form>
  );
}

function paste(element: HTMLElement, text: string) {
  fireEvent.paste(element, { clipboardData: { getData: () => text } });
}

describe("a long paste", () => {
  it("keeps what fits in the box, says what was left out, and saves only what was shown", async () => {
    const onSave = vi.fn();
    render(<Box limit={500} onSave={onSave} />);
    const box = screen.getByLabelText("Title");
    paste(box, "x".repeat(5000));
    expect(box).toHaveValue("x".repeat(500));
    expect(box).toHaveAccessibleDescription(/500 \/ 500 characters.*4,500 characters were left out \(the limit is 500\)/);
    await userEvent.setup().type(box, "{Enter}");
    expect(onSave).toHaveBeenCalledWith("x".repeat(500));
    expect(screen.queryByText(/left out/)).not.toBeInTheDocument();
  });

  it("shows a counter only near the limit, and no message for a paste that fits", async () => {
    render(<Box limit={10} onSave={vi.fn()} />);
    const box = screen.getByLabelText("Title");
    await userEvent.setup().type(box, "1234567");
    expect(screen.queryByText(/characters/)).not.toBeInTheDocument();
    await userEvent.setup().type(box, "8");
    expect(screen.getByText("8 / 10 characters")).toBeInTheDocument();
    paste(box, "9");
    expect(screen.queryByText(/left out/)).not.toBeInTheDocument();
  });
});
