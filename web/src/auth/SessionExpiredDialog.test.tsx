import { render, screen, waitFor } from "@testing-library/react";
import { AuthProvider } from "./AuthContext";
import SessionExpiredDialog from "./SessionExpiredDialog";

vi.mock("./actions", () => ({ signIn: vi.fn() }));

it("focuses the password field: the email is known, the password is what to type", async () => {
  const session = { currentUser: vi.fn(async () => null), signOut: vi.fn(async () => {}) };
  render(
    <AuthProvider session={session}>
      <SessionExpiredDialog email="ann@example.com" onSignOut={() => {}} />
    </AuthProvider>,
  );
  expect(screen.getByRole("dialog", { name: "Please sign in again" })).toBeInTheDocument();
  expect(screen.getByLabelText("Email")).toHaveValue("ann@example.com");
  await waitFor(() => expect(screen.getByLabelText("Password", { exact: true })).toHaveFocus());
});
