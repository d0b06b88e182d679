import { Button } from "../ui/Button";
import { useAuth } from "./AuthContext";
import { SignInForm } from "./AuthScreens";

/**
 * Shown over the (still mounted, inert) todo list when the session could not be
 * refreshed: whatever the user was typing stays where it was. The email is known,
 * so the password field takes focus (SignInForm's autoFocus with an initial email).
 */
export default function SessionExpiredDialog({ email }: { email: string }) {
  const auth = useAuth();
  return (
    <div className="fixed inset-0 z-50 flex items-center justify-center bg-slate-900/50 p-4 backdrop-blur-sm">
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby="session-expired-title"
        aria-describedby="session-expired-text"
        className="w-full max-w-sm space-y-4 rounded-2xl bg-white p-6 shadow-2xl dark:bg-slate-900"
      >
        <h2 id="session-expired-title" className="text-lg font-semibold">
          Please sign in again
        </h2>
        <p id="session-expired-text" className="text-sm text-slate-700 dark:text-slate-300">
          Your session has ended. Sign in to carry on; nothing you typed has been lost.
        </p>
        <SignInForm initialEmail={email} lockedEmail />
        <Button variant="ghost" className="w-full" onClick={() => void auth.signOut()}>
          Sign out instead
        </Button>
      </div>
    </div>
  );
}
