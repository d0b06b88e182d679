import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useMemo } from "react";
import { createApiClient } from "./api/client";
import { useAuth } from "./auth/AuthContext";
import { currentIdToken } from "./auth/session";
import type { AppConfig } from "./config";
import { clearOfflineData, waitingChanges } from "./offline/storage";
import { Button } from "./ui/Button";
import { NoticeList } from "./ui/notices";
import { ThemeSelect } from "./ui/theme";
import { session } from "./webStorage";

// Each screen is its own chunk: the first page loads only what it shows.
const AuthScreens = lazy(() => import("./auth/AuthScreens"));
const SessionExpiredDialog = lazy(() => import("./auth/SessionExpiredDialog"));
const TodoApp = lazy(() => import("./todos/TodoApp"));

export interface AppProps {
  config: AppConfig;
  getToken?: (renew?: boolean) => Promise<string | null>;
}

export default function App({ config, getToken = currentIdToken }: AppProps) {
  const auth = useAuth();
  const queryClient = useQueryClient();
  const { sessionExpired } = auth;
  // The client of the tab's user: it never sends anyone else's token.
  const user = auth.state.status === "signedIn" || auth.state.status === "expired" ? auth.state.user.sub : "";
  const api = useMemo(
    () => createApiClient({ apiUrl: config.apiUrl, user, getToken, onSessionExpired: sessionExpired }),
    [config.apiUrl, user, getToken, sessionExpired],
  );

  const signOut = async (user: string) => {
    await writesSettled(queryClient);
    const waiting = waitingChanges(user);
    if (waiting > 0 && !window.confirm(`${waiting} ${waiting === 1 ? "change" : "changes"} made offline ${waiting === 1 ? "is" : "are"} not saved yet. Sign out and discard ${waiting === 1 ? "it" : "them"}?`)) {
      return;
    }
    clearOfflineData(user);
    await auth.signOut();
    // The next person at this browser must not see a trace of this user's list.
    queryClient.clear();
    session.clear();
  };

  const { state } = auth;
  if (state.status === "loading") return <Loading />;

  if (state.status === "signedOut") {
    return (
      <Suspense fallback={<Loading />}>
        <header className="fixed top-3 right-3">
          <ThemeSelect />
        </header>
        <AuthScreens />
      </Suspense>
    );
  }

  const expired = state.status === "expired";
  return (
    <>
      <div inert={expired} className="flex min-h-dvh flex-col">
        <a
          href="#new-todo"
          className="sr-only rounded-lg bg-indigo-600 px-3 py-2 font-semibold text-white focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50"
        >
          Skip to the new todo box
        </a>
        <header className="mx-auto flex w-full max-w-2xl items-center gap-2 px-3 py-4 sm:px-4 sm:py-6">
          <div className="flex items-center gap-2 text-xl font-bold tracking-tight text-slate-900 dark:text-white">
            <img src="/favicon.svg" alt="" className="size-8" />
            {/* On a phone the logo alone: the theme choice and Sign out keep their words. */}
            <span className="max-sm:sr-only">Todos</span>
          </div>
          <div className="ml-auto flex min-w-0 items-center gap-1 sm:gap-2">
            <span className="hidden min-w-0 truncate text-sm text-slate-600 sm:inline dark:text-slate-400" title={state.user.email}>
              {state.user.email}
            </span>
            <ThemeSelect />
            <Button variant="secondary" className="h-9 whitespace-nowrap" onClick={() => void signOut(state.user.sub)}>
              Sign out
            </Button>
          </div>
        </header>
        <main className="flex-1">
          <Suspense fallback={<Loading />}>
            <TodoApp key={state.user.sub} api={api} user={state.user.sub} live={!expired} />
          </Suspense>
        </main>
      </div>
      <NoticeList />
      {expired ? (
        <Suspense fallback={null}>
          <SessionExpiredDialog email={state.user.email} onSignOut={() => void signOut(state.user.sub)} />
        </Suspense>
      ) : null}
    </>
  );
}

/** Resolves once no write is on its way (at most a few seconds: sign-out must not hang). */
async function writesSettled(queryClient: QueryClient, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (queryClient.isMutating() > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function Loading() {
  return (
    <div role="status" className="flex min-h-[50dvh] items-center justify-center gap-3 text-slate-600 dark:text-slate-400">
      <span aria-hidden="true" className="inline-block size-5 animate-spin rounded-full border-2 border-current border-r-transparent" />
      Loading…
    </div>
  );
}
