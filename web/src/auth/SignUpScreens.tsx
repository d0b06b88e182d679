/** Sign up and confirm the email: loaded only when someone opens them. */
import { useState, type FormEvent } from "react";
import { Field, FormMessage } from "../ui/forms";
import { Button } from "../ui/Button";
import * as cognito from "./actions";
import { useAuth } from "./AuthContext";
import { EmailField, Heading, Submit, useSubmit, type Go } from "./formParts";
import { PasswordField } from "./PasswordField";
import { passwordMeetsRules } from "./passwordRules";

export default function SignUpForm({ initialEmail = "", go }: { initialEmail?: string | undefined; go: Go }) {
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
      <EmailField value={email} onChange={setEmail} error={emailError} autoFocus />
      <PasswordField label="Password" value={password} onChange={setPassword} autoComplete="new-password" showRules error={passwordError} />
      <Submit busy={busy}>Create account</Submit>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Already have an account?{" "}
        <Button variant="link" size="inline" onClick={() => go({ name: "signIn", email })}>
          Sign in
        </Button>
      </p>
    </form>
  );
}

export function ConfirmForm({ email, password, go }: { email: string; password?: string | undefined; go: Go }) {
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
        <Button variant="link" size="inline" onClick={resend} disabled={busy}>
          Send a new code
        </Button>
        <Button variant="link" size="inline" onClick={() => go({ name: "signIn", email })}>
          Back to sign in
        </Button>
      </div>
    </form>
  );
}

