import { useId, useState } from "react";
import { Field } from "../ui/forms";
import { PASSWORD_RULES } from "./passwordRules";

interface PasswordFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  autoComplete: "current-password" | "new-password";
  /** Show the password policy as a live checklist (sign-up, new password). */
  showRules?: boolean;
  error?: string | undefined;
  autoFocus?: boolean;
}

export function PasswordField({ label, value, onChange, autoComplete, showRules = false, error, autoFocus }: PasswordFieldProps) {
  const [visible, setVisible] = useState(false);
  const toggleId = useId();
  const rules = showRules ? (
    <ul className="mt-1 grid gap-x-4 gap-y-1 sm:grid-cols-2" aria-label="Password rules">
      {PASSWORD_RULES.map((rule) => {
        const met = rule.test(value);
        return (
          <li key={rule.id} className={`flex items-center gap-1.5 ${met ? "text-emerald-700 dark:text-emerald-400" : ""}`}>
            <span aria-hidden="true" className="inline-block w-4 text-center font-bold">
              {met ? "✓" : "•"}
            </span>
            {rule.label}
            <span className="sr-only">{met ? " (done)" : " (not yet)"}</span>
          </li>
        );
      })}
    </ul>
  ) : undefined;
  return (
    <div className="space-y-1.5">
      <Field
        label={label}
        type={visible ? "text" : "password"}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        autoComplete={autoComplete}
        required
        error={error}
        hint={rules}
        autoFocus={autoFocus}
      />
      <div className="flex items-center gap-2 text-sm text-slate-700 dark:text-slate-300">
        <input
          id={toggleId}
          type="checkbox"
          checked={visible}
          onChange={(event) => setVisible(event.target.checked)}
          className="size-4 accent-indigo-600"
        />
        <label htmlFor={toggleId}>Show password</label>
      </div>
    </div>
  );
}
