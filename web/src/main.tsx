import { QueryClient, QueryClientProvider, notifyManager } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import App from "./App";
import { AuthProvider } from "./auth/AuthContext";
import { configureAuth, currentUser, endSession, signOut } from "./auth/session";
import { loadConfig } from "./config";
import "./index.css";
import { NoticesProvider } from "./ui/notices";

const session = { currentUser, signOut, endSession };

// Cache changes reach the screen in the same task as the click that made them (the
// default waits for a timer), so a ticked checkbox never flips back for a frame.
notifyManager.setScheduler(queueMicrotask);

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // A 4xx will not fix itself; a network blip may.
      retry: (failures, error) => failures < 2 && !(error as { status?: number }).status,
    },
    // Writes always run: offline, the outbox (src/offline) keeps them for the replay
    // instead of TanStack Query pausing them in memory, where a reload would lose them.
    mutations: { networkMode: "always" },
  },
});

const root = createRoot(document.getElementById("root") as HTMLElement);

loadConfig()
  .then((config) => {
    configureAuth(config);
    root.render(
      <StrictMode>
        <QueryClientProvider client={queryClient}>
          <NoticesProvider>
            <AuthProvider session={session}>
              <App config={config} />
            </AuthProvider>
          </NoticesProvider>
        </QueryClientProvider>
      </StrictMode>,
    );
  })
  .catch((error: unknown) => {
    root.render(
      <main className="mx-auto max-w-md p-8">
        <h1 className="text-xl font-semibold">The app isn't set up yet</h1>
        <p role="alert" className="mt-2 text-slate-700 dark:text-slate-300">
          {error instanceof Error ? error.message : String(error)}
        </p>
      </main>,
    );
  });

// The app shell offline (public/sw.js). One service worker per build: its URL names
// this build's entry file, so a deploy installs a new one. Not in `npm run dev`.
if (import.meta.env.PROD && "serviceWorker" in navigator) {
  const build = new URL(import.meta.url).pathname.split("/").pop() ?? "";
  void navigator.serviceWorker.register(`/sw.js?build=${encodeURIComponent(build)}`).catch(() => {
    // No service worker (private mode, say): the app works, only not offline.
  });
}
