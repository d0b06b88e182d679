import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import type { SessionUser } from "./session";

export type AuthState =
  | { status: "loading" }
  | { status: "signedOut" }
  | { status: "signedIn"; user: SessionUser }
  // Cognito refused to refresh the session (or the API refused its token): the app stays
  // on screen (with what the user typed) under a sign-in dialog for the same user. A
  // network failure is not this: the app carries on and its writes wait in the outbox.
  | { status: "expired"; user: SessionUser };

export interface SessionApi {
  /** The tab's user; `ended` when their session has ended (this tab stays theirs). */
  currentUser: () => Promise<SessionUser | null>;
  signOut: () => Promise<void>;
  /** Forgets the tokens the API refused, so this tab hands nothing to new tabs. */
  endSession?: () => void;
}

interface AuthValue {
  state: AuthState;
  /** Call after a successful sign-in: reads the new session. */
  refresh: () => Promise<void>;
  signOut: () => Promise<void>;
  sessionExpired: () => void;
}

const AuthContext = createContext<AuthValue | null>(null);

export function AuthProvider({ session, children }: { session: SessionApi; children: ReactNode }) {
  const [state, setState] = useState<AuthState>({ status: "loading" });

  const refresh = useCallback(async () => {
    const user = await session.currentUser();
    if (!user) {
      setState({ status: "signedOut" });
      return;
    }
    if (user.ended) {
      setState({ status: "expired", user });
      return;
    }
    setState({ status: "signedIn", user });
  }, [session]);

  useEffect(() => {
    // On load: a stored session (refreshed if its tokens expired) means the user is signed in.
    let live = true;
    void session.currentUser().then((user) => {
      if (live) setState(user ? { status: user.ended ? "expired" : "signedIn", user } : { status: "signedOut" });
    });
    return () => {
      live = false;
    };
  }, [session]);

  const signOut = useCallback(async () => {
    await session.signOut();
    setState({ status: "signedOut" });
  }, [session]);

  const sessionExpired = useCallback(() => {
    session.endSession?.();
    setState((previous) => (previous.status === "signedIn" ? { status: "expired", user: previous.user } : previous));
  }, [session]);

  const value = useMemo(
    () => ({ state, refresh, signOut, sessionExpired }),
    [state, refresh, signOut, sessionExpired],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth needs an AuthProvider");
  return value;
}
