import { act, render, screen } from "@testing-library/react";
import { AuthProvider, useAuth } from "./AuthContext";
import type { SessionApi } from "./AuthContext";

function Status() {
  const auth = useAuth();
  return (
    <>
      <p>{auth.state.status === "loading" || auth.state.status === "signedOut" ? auth.state.status : `${auth.state.status} as ${auth.state.user.email}`}</p>
      <button onClick={auth.sessionExpired}>expire</button>
    </>
  );
}

it("a tab whose session ended is still its user's after a reload: it asks that user to sign in again", async () => {
  const session: SessionApi = {
    currentUser: vi.fn(async () => ({ sub: "sub-1", email: "ann@example.com", ended: true as const })),
    signOut: vi.fn(async () => {}),
  };
  render(
    <AuthProvider session={session}>
      <Status />
    </AuthProvider>,
  );
  expect(await screen.findByText("expired as ann@example.com")).toBeInTheDocument();
});

it("a session the API refused is forgotten, so the tab hands nothing to new tabs", async () => {
  const session: SessionApi = {
    currentUser: vi.fn(async () => ({ sub: "sub-1", email: "ann@example.com" })),
    signOut: vi.fn(async () => {}),
    endSession: vi.fn(),
  };
  render(
    <AuthProvider session={session}>
      <Status />
    </AuthProvider>,
  );
  expect(await screen.findByText("signedIn as ann@example.com")).toBeInTheDocument();
  act(() => screen.getByRole("button", { name: "expire" }).click());
  expect(screen.getByText("expired as ann@example.com")).toBeInTheDocument();
  expect(session.endSession).toHaveBeenCalledTimes(1);
});
