/** Sends the outbox's writes in order once the connection is back. */
import { ApiError, SessionExpiredError, type ApiClient } from "../api/client";
import { isNetworkError, reaching } from "./network";
import { sendWrite, type Outbox, type QueuedWrite, type VersionChain } from "./outbox";

export type ReplayResult = "done" | "offline" | "conflict" | "sessionExpired" | "retryLater";

/**
 * Replays until the outbox is empty or something stops it: no network (try again on
 * reconnect), a 412 (the user chooses, see Outbox.resolve), an ended session, or a
 * server error (try again later). Writes the server refuses for good (404, 4xx) are
 * dropped and reported, never silently. Every write goes through `api`, the client of
 * the outbox's own user: it refuses a token issued to anyone else (OtherUserError, a
 * SessionExpiredError), so the replay then pauses like an ended session. `versions` is
 * the tab's version chain: a second offline edit of a todo follows the first one's version.
 */
export async function replayOutbox(
  api: ApiClient,
  outbox: Outbox,
  versions: VersionChain,
  report: (message: string) => void,
): Promise<ReplayResult> {
  for (;;) {
    const state = outbox.current;
    if (state.conflict) return "conflict";
    const write = state.writes[0];
    if (!write) return "done";
    try {
      await reaching(() => sendWrite(api, versions, write));
      outbox.remove(write.key);
    } catch (error) {
      if (isNetworkError(error)) return "offline";
      if (error instanceof SessionExpiredError) return "sessionExpired";
      if (!(error instanceof ApiError) || error.status >= 500 || error.status === 429) return "retryLater";
      if (error.status === 412 && write.kind === "update") {
        const stopped = await holdConflict(api, outbox, write, report);
        if (stopped) return "conflict";
        continue;
      }
      outbox.remove(write.key);
      report(refusal(write, error));
    }
  }
}

/** Keeps the refused write with the server's version for the user to decide; false if the todo is gone. */
async function holdConflict(
  api: ApiClient,
  outbox: Outbox,
  write: Extract<QueuedWrite, { kind: "update" }>,
  report: (message: string) => void,
): Promise<boolean> {
  try {
    outbox.setConflict({ write, server: await api.getTodo(write.id) });
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      outbox.remove(write.key);
      report(refusal(write, error));
      return false;
    }
    throw error;
  }
}

function refusal(write: QueuedWrite, error: ApiError): string {
  const name = write.kind === "create" ? write.input.title : write.kind === "setAll" ? "" : write.title;
  const what = name ? `“${name.length > 40 ? `${name.slice(0, 40)}…` : name}”` : "your todos";
  if (error.status === 404 && write.kind === "restore") return `${what} could no longer be brought back.`;
  if (error.status === 404 && write.kind === "delete") return `${what}, which you deleted offline, was no longer there to delete.`;
  if (error.status === 404) return `${what} was deleted on another device, so a change you made offline couldn't be saved.`;
  return `A change you made offline to ${what} couldn't be saved: ${error.message}`;
}
