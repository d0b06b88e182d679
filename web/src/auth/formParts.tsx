/** Pieces every sign-in/up/password screen uses. */
import { useState, type ReactNode } from "react";
import { Button } from "../ui/Button";
import { Field, Spinner } from "../ui/forms";
import { authErrorMessage } from "./messages";

export type Screen =
  | { name: "signIn"; email?: string; notice?: string }
  | { name: "signUp"; email?: string }
  | { name: "confirm"; email: string; password?: string }
  | { name: "forgot"; email?: string }
  | { name: "reset"; email: string };

export type Go = (screen: Screen) => void;

/** Each screen's first field takes focus (autoFocus), so keyboards and screen readers start there. */
export function Heading({ children }: { children: ReactNode }) {
  return <h1 className="text-xl font-semibold text-slate-900 dark:text-white">{children}</h1>;
}

/** Runs a Cognito call with a busy flag and a plain-words error. */
export function useSubmit() {
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

export function Submit({ busy, children }: { busy: boolean; children: ReactNode }) {
  return (
    <Button type="submit" variant="primary" size="lg" className="w-full" disabled={busy}>
      {busy ? <Spinner /> : null}
      {children}
    </Button>
  );
}

interface EmailFieldProps {
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  readOnly?: boolean;
  autoFocus?: boolean;
}

/** The email box every screen starts with (email is the username). */
export function EmailField({ value, onChange, error, readOnly = false, autoFocus = false }: EmailFieldProps) {
  return (
    <Field
      label="Email"
      type="email"
      autoComplete="username"
      value={value}
      onChange={(event) => onChange(event.target.value)}
      error={error}
      readOnly={readOnly}
      required
      autoFocus={autoFocus}
    />
  );
}
