import { useEffect, useState } from "react";
import { local } from "../webStorage";

export type ThemeChoice = "system" | "light" | "dark";

const STORAGE_KEY = "theme";
const CHOICES: readonly ThemeChoice[] = ["light", "dark", "system"];
const LABEL: Record<ThemeChoice, string> = { system: "System", light: "Light", dark: "Dark" };

function readChoice(): ThemeChoice {
  const stored = local.get(STORAGE_KEY);
  return stored === "light" || stored === "dark" ? stored : "system";
}

function apply(choice: ThemeChoice): void {
  const systemDark = typeof matchMedia === "function" && matchMedia("(prefers-color-scheme: dark)").matches;
  document.documentElement.classList.toggle("dark", choice === "dark" || (choice === "system" && systemDark));
}

/**
 * A labelled Light / Dark / System choice. System follows the device's setting;
 * a picked theme is remembered.
 */
export function ThemeSelect() {
  const [choice, setChoice] = useState<ThemeChoice>(readChoice);

  useEffect(() => {
    apply(choice);
    // Storage blocked: the choice lasts for this page only.
    if (choice === "system") local.remove(STORAGE_KEY);
    else local.set(STORAGE_KEY, choice);
    if (choice !== "system" || typeof matchMedia !== "function") return;
    const media = matchMedia("(prefers-color-scheme: dark)");
    const follow = () => apply("system");
    media.addEventListener("change", follow);
    return () => media.removeEventListener("change", follow);
  }, [choice]);

  return (
    <label className="inline-flex h-9 items-center gap-1.5 text-sm font-medium text-slate-700 dark:text-slate-300">
      Theme
      <select
        value={choice}
        onChange={(event) => setChoice(event.target.value as ThemeChoice)}
        className="h-9 rounded-lg border border-slate-300 bg-white px-2 text-sm text-slate-900 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100"
      >
        {CHOICES.map((value) => (
          <option key={value} value={value}>
            {LABEL[value]}
          </option>
        ))}
      </select>
    </label>
  );
}
