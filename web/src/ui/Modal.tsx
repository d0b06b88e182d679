import type { ReactNode } from "react";

/** A modal dialog over a dimmed page, named and described by ids inside `children`. */
export function Modal({
  labelledBy,
  describedBy,
  width = "max-w-sm",
  children,
}: {
  labelledBy: string;
  describedBy: string;
  width?: "max-w-sm" | "max-w-md";
  children: ReactNode;
}) {
  return (
    <div className="fixed inset-0 z-50 flex items-center justify-center bg-slate-900/50 p-4 backdrop-blur-sm">
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby={labelledBy}
        aria-describedby={describedBy}
        className={`w-full ${width} space-y-4 rounded-2xl bg-white p-6 shadow-2xl dark:bg-slate-900`}
      >
        {children}
      </div>
    </div>
  );
}
