/**
 * The signed-out screens. Loaded on demand: a signed-in user never downloads them
 * (nor Amplify's sign-in code); sign-up and password reset, used rarely, load only
 * when opened.
 */
import { lazy, Suspense, useState, type FormEvent } from "react";
import { FormMessage, Spinner } from "../ui/forms";
import { Button } from "../ui/Button";
import * as cognito from "./actions";
import { useAuth } from "./AuthContext";
import { EmailField, Heading, Submit, useSubmit, type Go, type Screen } from "./formParts";
import { PasswordField } from "./PasswordField";

const SignUpForm = lazy(() => import("./SignUpScreens"));
const ConfirmForm = lazy(() => import("./SignUpScreens").then((m) => ({ default: m.ConfirmForm })));
const ForgotForm = lazy(() => import("./PasswordResetScreens"));
const ResetForm = lazy(() => import("./PasswordResetScreens").then((m) => ({ default: m.ResetForm })));

export default function AuthScreens() {
  const [screen, setScreen] = useState<Screen>({ name: "signIn" });
  return (
    <main className="flex min-h-dvh flex-col items-center px-4 py-10 sm:py-16">
      <Brand />
      <div className="mt-8 w-full max-w-sm rounded-2xl bg-white p-6 shadow-xl shadow-slate-900/5 ring-1 ring-slate-900/5 sm:p-8 dark:bg-slate-900 dark:ring-white/10">
        <Suspense
          fallback={
            <div role="status" className="flex justify-center py-10 text-slate-600 dark:text-slate-400">
              <Spinner />
              <span className="sr-only">Loading…</span>
            </div>
          }
        >
        {screen.name === "signIn" && <SignInForm key="signIn" initialEmail={screen.email} notice={screen.notice} go={setScreen} />}
        {screen.name === "signUp" && <SignUpForm key="signUp" initialEmail={screen.email} go={setScreen} />}
        {screen.name === "confirm" && <ConfirmForm key="confirm" email={screen.email} password={screen.password} go={setScreen} />}
        {screen.name === "forgot" && <ForgotForm key="forgot" initialEmail={screen.email} go={setScreen} />}
        {screen.name === "reset" && <ResetForm key="reset" email={screen.email} go={setScreen} />}
        </Suspense>
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
      <EmailField value={email} onChange={setEmail} readOnly={lockedEmail} autoFocus={!lockedEmail && !initialEmail} />
      <PasswordField label="Password" value={password} onChange={setPassword} autoComplete="current-password" autoFocus={Boolean(initialEmail)} />
      <Submit busy={busy}>Sign in</Submit>
      {go ? (
        <div className="flex flex-wrap justify-between gap-2 text-sm">
          <Button variant="link" size="inline" onClick={() => go({ name: "forgot", email })}>
            Forgot password?
          </Button>
          <Button variant="link" size="inline" onClick={() => go({ name: "signUp", email })}>
            Create an account
          </Button>
        </div>
      ) : null}
    </form>
  );
}

