/** The app's one button: a variant (what it looks like) and a size, instead of pasted class strings. */
import type { ButtonHTMLAttributes, Ref } from "react";

const BASE =
  "inline-flex items-center justify-center gap-2 transition focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 disabled:cursor-not-allowed disabled:opacity-50";

const VARIANTS = {
  /** The one main action of a form or screen. */
  primary: "bg-indigo-600 font-semibold text-white shadow-sm hover:bg-indigo-500",
  /** An outlined action next to content (Sign out, Move up). */
  secondary:
    "font-medium text-slate-700 ring-1 ring-slate-300 hover:bg-white dark:text-slate-200 dark:ring-slate-700 dark:hover:bg-slate-800",
  /** A quiet action (Cancel, Dismiss). */
  ghost: "font-medium text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800",
  /** A quiet action in the accent colour (Load more). */
  accent: "font-medium text-indigo-700 hover:bg-indigo-50 dark:text-indigo-300 dark:hover:bg-indigo-950",
  /** A quiet action that destroys something (Delete, Clear completed). */
  danger:
    "font-medium text-slate-700 hover:bg-red-50 hover:text-red-700 dark:text-slate-300 dark:hover:bg-red-950 dark:hover:text-red-300",
  /** An icon-only action in a row (Edit, Details). */
  icon: "text-slate-500 hover:bg-slate-100 hover:text-slate-900 dark:text-slate-400 dark:hover:bg-slate-800 dark:hover:text-white",
  /** Looks like a link, acts as a button (switching screens). */
  link: "font-medium text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300",
} as const;

const SIZES = {
  sm: "rounded-md px-2.5 py-1.5 text-sm",
  md: "rounded-lg px-3 py-2 text-sm",
  lg: "rounded-lg px-4 py-2.5 text-sm",
  /** A square 36 px target (WCAG 2.2 asks for at least 24 px). */
  icon: "size-9 shrink-0 rounded-lg",
  /** No box of its own: inline in text. */
  inline: "rounded",
} as const;

type ButtonVariant = keyof typeof VARIANTS;
type ButtonSize = keyof typeof SIZES;

function buttonClass(variant: ButtonVariant = "secondary", size: ButtonSize = "md", extra = ""): string {
  return `${BASE} ${VARIANTS[variant]} ${SIZES[size]}${extra ? ` ${extra}` : ""}`;
}

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  size?: ButtonSize;
  ref?: Ref<HTMLButtonElement>;
}

/** `type` defaults to "button": a submit must say so. `className` adds layout (width, margins), not looks. */
export function Button({ variant, size, className, type = "button", ...props }: ButtonProps) {
  return <button type={type} className={buttonClass(variant, size, className)} {...props} />;
}
