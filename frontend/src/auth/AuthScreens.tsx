/**
 * Sign in, sign up, confirm, forgot/reset password. Loaded on demand: a signed-in
 * user never downloads these screens (nor Amplify's sign-in code).
 */
import { useState, type FormEvent, type ReactNode } from "react";
import { Field, FormMessage, Spinner, buttonPrimary, linkButton } from "../ui/forms";
import * as cognito from "./actions";
import { useAuth } from "./AuthContext";
import { authErrorMessage } from "./messages";
import { PasswordField } from "./PasswordField";
import { passwordMeetsRules } from "./passwordRules";

type Screen =
  | { name: "signIn"; email?: string; notice?: string }
  | { name: "signUp"; email?: string }
  | { name: "confirm"; email: string; password?: string }
  | { name: "forgot"; email?: string }
  | { name: "reset"; email: string };

export default function AuthScreens() {
  const [screen, setScreen] = useState<Screen>({ name: "signIn" });
  return (
    <main className="flex min-h-dvh flex-col items-center px-4 py-10 sm:py-16">
      <Brand />
      <div className="mt-8 w-full max-w-sm rounded-2xl bg-white p-6 shadow-xl shadow-slate-900/5 ring-1 ring-slate-900/5 sm:p-8 dark:bg-slate-900 dark:ring-white/10">
        {screen.name === "signIn" && <SignInForm key="signIn" initialEmail={screen.email} notice={screen.notice} go={setScreen} />}
        {screen.name === "signUp" && <SignUpForm key="signUp" initialEmail={screen.email} go={setScreen} />}
        {screen.name === "confirm" && <ConfirmForm key="confirm" email={screen.email} password={screen.password} go={setScreen} />}
        {screen.name === "forgot" && <ForgotForm key="forgot" initialEmail={screen.email} go={setScreen} />}
        {screen.name === "reset" && <ResetForm key="reset" email={screen.email} go={setScreen} />}
      </div>
    </main>
  );
}

function Brand() {
  return (
    <div className="flex items-center gap-2 text-2xl font-bold tracking-tight text-slate-900 dark:text-white">
      <img src="/favicon.svg" alt="" className="size-9" />
      Todos
    </div>
  );
}

type Go = (screen: Screen) => void;

/** Each screen's first field takes focus (autoFocus), so keyboards and screen readers start there. */
function Heading({ children }: { children: ReactNode }) {
  return <h1 className="text-xl font-semibold text-slate-900 dark:text-white">{children}</h1>;
}

/** Runs a Cognito call with a busy flag and a plain-words error. */
function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (task: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await task();
    } catch (caught) {
      setError(authErrorMessage(caught));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}

function Submit({ busy, children }: { busy: boolean; children: ReactNode }) {
  return (
    <button type="submit" className={buttonPrimary} disabled={busy}>
      {busy ? <Spinner /> : null}
      {children}
    </button>
  );
}

export function SignInForm({
  initialEmail = "",
  notice,
  go,
  lockedEmail = false,
  onSignedIn,
}: {
  initialEmail?: string | undefined;
  notice?: string | undefined;
  go?: Go;
  lockedEmail?: boolean;
  onSignedIn?: () => void;
}) {
  const auth = useAuth();
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState("");
  const { busy, error, run } = useSubmit();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const result = await cognito.signIn(email, password);
      if (result.kind === "needsConfirmation") {
        go?.({ name: "confirm", email, password });
        return;
      }
      await auth.refresh();
      onSignedIn?.();
    });
  };

  return (
    <form onSubmit={submit} className="space-y-5" noValidate>
      {go ? <Heading>Sign in</Heading> : null}
      {notice ? <FormMessage tone="info">{notice}</FormMessage> : null}
      {error ? <FormMessage tone="error">{error}</FormMessage> : null}
      <Field
        label="Email"
        type="email"
        autoComplete="username"
        value={email}
        onChange={(event) => setEmail(event.target.value)}
        readOnly={lockedEmail}
        required
        autoFocus={!lockedEmail && !initialEmail}
      />
      <PasswordField label="Password" value={password} onChange={setPassword} autoComplete="current-password" autoFocus={Boolean(initialEmail)} />
      <Submit busy={busy}>Sign in</Submit>
      {go ? (
        <div className="flex flex-wrap justify-between gap-2 text-sm">
          <button type="button" className={linkButton} onClick={() => go({ name: "forgot", email })}>
            Forgot password?
          </button>
          <button type="button" className={linkButton} onClick={() => go({ name: "signUp", email })}>
            Create an account
          </button>
        </div>
      ) : null}
    </form>
  );
}

function SignUpForm({ initialEmail = "", go }: { initialEmail?: string | undefined; go: Go }) {
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState("");
  const [emailError, setEmailError] = useState<string>();
  const [passwordError, setPasswordError] = useState<string>();
  const { busy, error, run } = useSubmit();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const badEmail = /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim()) ? undefined : "Enter an email address like you@example.com.";
    const badPassword = passwordMeetsRules(password) ? undefined : "Your password needs to meet every rule below.";
    setEmailError(badEmail);
    setPasswordError(badPassword);
    if (badEmail || badPassword) return;
    void run(async () => {
      const { confirmed } = await cognito.signUp(email, password);
      if (confirmed) {
        go({ name: "signIn", email, notice: "Your account is ready. Sign in to start." });
      } else {
        go({ name: "confirm", email, password });
      }
    });
  };

  return (
    <form onSubmit={submit} className="space-y-5" noValidate>
      <Heading>Create your account</Heading>
      {error ? <FormMessage tone="error">{error}</FormMessage> : null}
      <Field
        label="Email"
        type="email"
        autoComplete="username"
        value={email}
        onChange={(event) => setEmail(event.target.value)}
        error={emailError}
        required
        autoFocus
      />
      <PasswordField label="Password" value={password} onChange={setPassword} autoComplete="new-password" showRules error={passwordError} />
      <Submit busy={busy}>Create account</Submit>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Already have an account?{" "}
        <button type="button" className={linkButton} onClick={() => go({ name: "signIn", email })}>
          Sign in
        </button>
      </p>
    </form>
  );
}

function ConfirmForm({ email, password, go }: { email: string; password?: string | undefined; go: Go }) {
  const auth = useAuth();
  const [code, setCode] = useState("");
  const [sent, setSent] = useState<string | null>(null);
  const { busy, error, setError, run } = useSubmit();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!code.trim()) {
      setError("Enter the code from the email.");
      return;
    }
    void run(async () => {
      await cognito.confirmSignUp(email, code);
      if (password) {
        // We still have the password from sign-up: no need to ask for it again.
        await cognito.signIn(email, password);
        await auth.refresh();
      } else {
        go({ name: "signIn", email, notice: "Your email is confirmed. Sign in to start." });
      }
    });
  };

  const resend = () => {
    setSent(null);
    void run(async () => {
      await cognito.resendCode(email);
      setSent(`We sent a new code to ${email}.`);
    });
  };

  return (
    <form onSubmit={submit} className="space-y-5" noValidate>
      <Heading>Check your email</Heading>
      <p className="text-sm text-slate-700 dark:text-slate-300">
        We sent a confirmation code to <strong className="break-all">{email}</strong>. Enter it below.
      </p>
      {error ? <FormMessage tone="error">{error}</FormMessage> : null}
      {sent ? <FormMessage tone="info">{sent}</FormMessage> : null}
      <Field
        label="Confirmation code"
        inputMode="numeric"
        autoComplete="one-time-code"
        value={code}
        onChange={(event) => setCode(event.target.value)}
        required
        autoFocus
      />
      <Submit busy={busy}>Confirm</Submit>
      <div className="flex flex-wrap justify-between gap-2 text-sm">
        <button type="button" className={linkButton} onClick={resend} disabled={busy}>
          Send a new code
        </button>
        <button type="button" className={linkButton} onClick={() => go({ name: "signIn", email })}>
          Back to sign in
        </button>
      </div>
    </form>
  );
}

function ForgotForm({ initialEmail = "", go }: { initialEmail?: string | undefined; go: Go }) {
  const [email, setEmail] = useState(initialEmail);
  const { busy, error, setError, run } = useSubmit();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!email.trim()) {
      setError("Enter your email address.");
      return;
    }
    void run(async () => {
      await cognito.requestPasswordReset(email);
      go({ name: "reset", email });
    });
  };

  return (
    <form onSubmit={submit} className="space-y-5" noValidate>
      <Heading>Reset your password</Heading>
      <p className="text-sm text-slate-700 dark:text-slate-300">We'll email you a code to set a new password.</p>
      {error ? <FormMessage tone="error">{error}</FormMessage> : null}
      <Field label="Email" type="email" autoComplete="username" value={email} onChange={(event) => setEmail(event.target.value)} required autoFocus />
      <Submit busy={busy}>Send code</Submit>
      <button type="button" className={`${linkButton} text-sm`} onClick={() => go({ name: "signIn", email })}>
        Back to sign in
      </button>
    </form>
  );
}

function ResetForm({ email, go }: { email: string; go: Go }) {
  const auth = useAuth();
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const [passwordError, setPasswordError] = useState<string>();
  const { busy, error, setError, run } = useSubmit();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!code.trim()) {
      setError("Enter the code from the email.");
      return;
    }
    const badPassword = passwordMeetsRules(password) ? undefined : "Your new password needs to meet every rule below.";
    setPasswordError(badPassword);
    if (badPassword) return;
    void run(async () => {
      await cognito.setNewPassword(email, code, password);
      await cognito.signIn(email, password);
      await auth.refresh();
    });
  };

  return (
    <form onSubmit={submit} className="space-y-5" noValidate>
      <Heading>Set a new password</Heading>
      <p className="text-sm text-slate-700 dark:text-slate-300">
        Enter the code we sent to <strong className="break-all">{email}</strong> and choose a new password.
      </p>
      {error ? <FormMessage tone="error">{error}</FormMessage> : null}
      <Field label="Code" inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(event) => setCode(event.target.value)} required autoFocus />
      <PasswordField label="New password" value={password} onChange={setPassword} autoComplete="new-password" showRules error={passwordError} />
      <Submit busy={busy}>Save and sign in</Submit>
      <button type="button" className={`${linkButton} text-sm`} onClick={() => go({ name: "signIn", email })}>
        Back to sign in
      </button>
    </form>
  );
}
