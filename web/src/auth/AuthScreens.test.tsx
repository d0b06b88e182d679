import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import * as cognito from "./actions";
import { AuthProvider, useAuth } from "./AuthContext";
import AuthScreens from "./AuthScreens";

vi.mock("./actions", () => ({
  signIn: vi.fn(),
  signUp: vi.fn(),
  confirmSignUp: vi.fn(),
  resendCode: vi.fn(),
  requestPasswordReset: vi.fn(),
  setNewPassword: vi.fn(),
}));

const mocked = vi.mocked(cognito);

function cognitoError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name });
}

function Status() {
  const { state } = useAuth();
  return <p data-testid="status">{state.status}</p>;
}

function setup() {
  let user: { sub: string; email: string } | null = null;
  const session = {
    currentUser: vi.fn(async () => user),
    signOut: vi.fn(async () => {}),
  };
  const signInAs = (email: string) => {
    user = { sub: "sub-1", email };
  };
  render(
    <AuthProvider session={session}>
      <Status />
      <AuthScreens />
    </AuthProvider>,
  );
  return { events: userEvent.setup(), signInAs, session };
}

beforeEach(() => vi.clearAllMocks());

describe("sign up", () => {
  it("shows the password rules as you type and refuses a weak password", async () => {
    const { events } = setup();
    await events.click(screen.getByRole("button", { name: "Create an account" }));
    const rules = await screen.findByRole("list", { name: "Password rules" });
    expect(rules).toHaveTextContent("At least 12 characters (not yet)");
    await events.type(screen.getByLabelText("Email"), "ann@example.com");
    await events.type(screen.getByLabelText("Password"), "abcdefghijkl");
    expect(rules).toHaveTextContent("At least 12 characters (done)");
    expect(rules).toHaveTextContent("An uppercase letter (not yet)");
    await events.click(screen.getByRole("button", { name: "Create account" }));
    expect(screen.getByText("Your password needs to meet every rule below.")).toBeInTheDocument();
    expect(screen.getByLabelText("Password")).toHaveAttribute("aria-invalid", "true");
    expect(mocked.signUp).not.toHaveBeenCalled();
  });

  it("says plainly that the email is taken", async () => {
    mocked.signUp.mockRejectedValue(cognitoError("UsernameExistsException", "User already exists"));
    const { events } = setup();
    await events.click(screen.getByRole("button", { name: "Create an account" }));
    await screen.findByRole("heading", { name: "Create your account" });
    await events.type(screen.getByLabelText("Email"), "ann@example.com");
    await events.type(screen.getByLabelText("Password"), "Passw0rd!2026");
    await events.click(screen.getByRole("button", { name: "Create account" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("There's already an account with this email");
  });

  it("confirms with the emailed code, can resend it, then signs in", async () => {
    mocked.signUp.mockResolvedValue({ confirmed: false });
    mocked.signIn.mockResolvedValue({ kind: "signedIn" });
    const { events, signInAs } = setup();
    await events.click(screen.getByRole("button", { name: "Create an account" }));
    await screen.findByRole("heading", { name: "Create your account" });
    await events.type(screen.getByLabelText("Email"), "ann@example.com");
    await events.type(screen.getByLabelText("Password"), "Passw0rd!2026");
    await events.click(screen.getByRole("button", { name: "Create account" }));
    expect(await screen.findByRole("heading", { name: "Check your email" })).toBeInTheDocument();

    await events.click(screen.getByRole("button", { name: "Send a new code" }));
    expect(await screen.findByText("We sent a new code to ann@example.com.")).toBeInTheDocument();
    expect(mocked.resendCode).toHaveBeenCalledWith("ann@example.com");

    mocked.confirmSignUp.mockRejectedValueOnce(cognitoError("CodeMismatchException"));
    await events.type(screen.getByLabelText("Confirmation code"), "000000");
    await events.click(screen.getByRole("button", { name: "Confirm" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("That code isn't right");

    signInAs("ann@example.com");
    await events.click(screen.getByRole("button", { name: "Confirm" }));
    await waitFor(() => expect(screen.getByTestId("status")).toHaveTextContent("signedIn"));
    expect(mocked.signIn).toHaveBeenCalledWith("ann@example.com", "Passw0rd!2026");
  });
});

describe("sign in", () => {
  it("explains a wrong password without saying which part was wrong", async () => {
    mocked.signIn.mockRejectedValue(cognitoError("NotAuthorizedException", "Incorrect username or password."));
    const { events } = setup();
    await events.type(screen.getByLabelText("Email"), "ann@example.com");
    await events.type(screen.getByLabelText("Password"), "nope");
    await events.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("That email and password don't match.");
    expect(screen.getByTestId("status")).toHaveTextContent("signedOut");
  });

  it("sends an unconfirmed account to the confirmation screen", async () => {
    mocked.signIn.mockResolvedValue({ kind: "needsConfirmation" });
    const { events } = setup();
    await events.type(screen.getByLabelText("Email"), "new@example.com");
    await events.type(screen.getByLabelText("Password"), "Passw0rd!2026");
    await events.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("heading", { name: "Check your email" })).toBeInTheDocument();
  });
});

describe("forgot password", () => {
  it("sends a code, sets the new password and signs in", async () => {
    mocked.signIn.mockResolvedValue({ kind: "signedIn" });
    const { events, signInAs } = setup();
    await events.type(screen.getByLabelText("Email"), "ann@example.com");
    await events.click(screen.getByRole("button", { name: "Forgot password?" }));
    await screen.findByRole("heading", { name: "Reset your password" });
    expect(screen.getByLabelText("Email")).toHaveValue("ann@example.com");
    await events.click(screen.getByRole("button", { name: "Send code" }));
    expect(await screen.findByRole("heading", { name: "Set a new password" })).toBeInTheDocument();
    expect(mocked.requestPasswordReset).toHaveBeenCalledWith("ann@example.com");

    await events.type(screen.getByLabelText("Code"), "123456");
    await events.type(screen.getByLabelText("New password"), "weak");
    await events.click(screen.getByRole("button", { name: "Save and sign in" }));
    expect(mocked.setNewPassword).not.toHaveBeenCalled();

    await events.clear(screen.getByLabelText("New password"));
    await events.type(screen.getByLabelText("New password"), "N3w-Password!");
    signInAs("ann@example.com");
    await events.click(screen.getByRole("button", { name: "Save and sign in" }));
    await waitFor(() => expect(screen.getByTestId("status")).toHaveTextContent("signedIn"));
    expect(mocked.setNewPassword).toHaveBeenCalledWith("ann@example.com", "123456", "N3w-Password!");
  });
});
