/** What to tell the user when a write was refused. */
import { ApiError } from "../api/client";

export function errorDetail(error: unknown): string {
  return error instanceof ApiError ? error.message : "Please try again.";
}

/** The message for a change to the todo titled `title` that the server refused. */
export function describeFailedChange(error: unknown, title: string): string {
  const name = `“${title.length > 40 ? `${title.slice(0, 40)}…` : title}”`;
  if (error instanceof ApiError && error.status === 412) {
    return `${name} was changed in another tab or device, so your change wasn't saved. The latest version is shown now; make your change again if you still want it.`;
  }
  if (error instanceof ApiError && error.status === 404) return `${name} was already deleted somewhere else.`;
  return `Couldn't save ${name}. ${errorDetail(error)}`;
}
