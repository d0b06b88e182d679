/** Forgot password and set a new one: loaded only when someone opens them. */
import { useState, type FormEvent } from "react";
import { Field, FormMessage } from "../ui/forms";
import { Button } from "../ui/Button";
import * as cognito from "./actions";
import { useAuth } from "./AuthContext";
import { EmailField, Heading, Submit, useSubmit, type Go } from "./formParts";
import { PasswordField } from "./PasswordField";
import { passwordMeetsRules } from "./passwordRules";

export default function ForgotForm({ initialEmail = "", go }: { initialEmail?: string | undefined; go: Go }) {
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
      <EmailField value={email} onChange={setEmail} autoFocus />
      <Submit busy={busy}>Send code</Submit>
      <Button variant="link" size="inline" className="text-sm" onClick={() => go({ name: "signIn", email })}>
        Back to sign in
      </Button>
    </form>
  );
}

export function ResetForm({ email, go }: { email: string; go: Go }) {
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
      <Button variant="link" size="inline" className="text-sm" onClick={() => go({ name: "signIn", email })}>
        Back to sign in
      </Button>
    </form>
  );
}
