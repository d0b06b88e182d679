import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ThemeSelect } from "./theme";

it("is a labelled Light / Dark / System choice, remembered", async () => {
  const events = userEvent.setup();
  render(<ThemeSelect />);
  const select = screen.getByLabelText("Theme");
  expect(select).toHaveValue("system");
  expect(screen.getAllByRole("option").map((o) => o.textContent)).toEqual(["Light", "Dark", "System"]);

  await events.selectOptions(select, "Dark");
  expect(document.documentElement).toHaveClass("dark");
  expect(localStorage.getItem("theme")).toBe("dark");

  await events.selectOptions(select, "Light");
  expect(document.documentElement).not.toHaveClass("dark");

  await events.selectOptions(select, "System");
  expect(localStorage.getItem("theme")).toBeNull();
});
