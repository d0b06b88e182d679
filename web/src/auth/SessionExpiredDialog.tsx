import { Button } from "../ui/Button";
import { Modal } from "../ui/Modal";
import { SignInForm } from "./AuthScreens";

/**
 * Shown over the (still mounted, inert) todo list when the session could not be
 * refreshed: whatever the user was typing stays where it was. The email is known,
 * so the password field takes focus (SignInForm's autoFocus with an initial email).
 */
export default function SessionExpiredDialog({ email, onSignOut }: { email: string; onSignOut: () => void }) {
  return (
    <Modal labelledBy="session-expired-title" describedBy="session-expired-text">
      <h2 id="session-expired-title" className="text-lg font-semibold">
        Please sign in again
      </h2>
      <p id="session-expired-text" className="text-sm text-slate-700 dark:text-slate-300">
        Your session has ended. Sign in to carry on; nothing you typed has been lost.
      </p>
      <SignInForm initialEmail={email} lockedEmail />
      <Button variant="ghost" className="w-full" onClick={onSignOut}>
        Sign out instead
      </Button>
    </Modal>
  );
}
