import { Button } from "./Button";
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";

export interface Notice {
  id: number;
  message: string;
}

interface NoticesValue {
  notices: Notice[];
  report: (message: string) => void;
  dismiss: (id: number) => void;
}

const NoticesContext = createContext<NoticesValue | null>(null);

let nextId = 1;

/** Errors the user should see until they dismiss them (failed saves, conflicts). */
export function NoticesProvider({ children }: { children: ReactNode }) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const report = useCallback((message: string) => {
    setNotices((current) =>
      // The same failure repeated (say, offline while toggling) shows once.
      current.some((n) => n.message === message) ? current : [...current.slice(-3), { id: nextId++, message }],
    );
  }, []);
  const dismiss = useCallback((id: number) => setNotices((current) => current.filter((n) => n.id !== id)), []);
  const value = useMemo(() => ({ notices, report, dismiss }), [notices, report, dismiss]);
  return <NoticesContext.Provider value={value}>{children}</NoticesContext.Provider>;
}

export function useNotices(): NoticesValue {
  const value = useContext(NoticesContext);
  if (!value) throw new Error("useNotices needs a NoticesProvider");
  return value;
}

export function NoticeList() {
  const { notices, dismiss } = useNotices();
  return (
    <div className="pointer-events-none fixed inset-x-0 bottom-4 z-40 flex flex-col items-center gap-2 px-4">
      {notices.map((notice) => (
        <div
          key={notice.id}
          role="alert"
          className="pointer-events-auto flex w-full max-w-lg items-start gap-3 rounded-xl border border-red-200 bg-white p-3 pl-4 text-sm shadow-lg dark:border-red-900 dark:bg-slate-900"
        >
          <span aria-hidden="true" className="mt-0.5 text-red-600 dark:text-red-400">
            ⚠
          </span>
          <p className="flex-1 text-slate-800 dark:text-slate-100">{notice.message}</p>
          <Button variant="ghost" size="sm" onClick={() => dismiss(notice.id)}>
            Dismiss
          </Button>
        </div>
      ))}
    </div>
  );
}
