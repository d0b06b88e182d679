/**
 * Whether the API can be reached right now.
 *
 * `navigator.onLine` alone is not enough: it only says whether the device has a network
 * (a Wi-Fi without internet counts as online), and Chromium reports `true` in a tab
 * reloaded while offline. So a request that fails for want of a network marks the API
 * unreachable until a request gets through or the browser says it is back online.
 */
import { ApiError } from "../api/client";

let unreachable = false;
const listeners = new Set<() => void>();

function setUnreachable(value: boolean): void {
  if (unreachable === value) return;
  unreachable = value;
  for (const listener of listeners) listener();
}

export function isNetworkError(error: unknown): boolean {
  return error instanceof ApiError && error.status === 0;
}

export function isOffline(): boolean {
  return unreachable || (typeof navigator !== "undefined" && navigator.onLine === false);
}

/** Runs `request`, noting whether it reached the API (any answer does, an error status too). */
export async function reaching<T>(request: () => Promise<T>): Promise<T> {
  try {
    const result = await request();
    setUnreachable(false);
    return result;
  } catch (error) {
    setUnreachable(isNetworkError(error));
    throw error;
  }
}

// The browser says the network is back: try the API again.
if (typeof window !== "undefined") window.addEventListener("online", () => setUnreachable(false));

/** For useSyncExternalStore: the browser's online/offline events and our own findings. */
export function subscribeNetwork(changed: () => void): () => void {
  window.addEventListener("online", changed);
  window.addEventListener("offline", changed);
  listeners.add(changed);
  return () => {
    window.removeEventListener("online", changed);
    window.removeEventListener("offline", changed);
    listeners.delete(changed);
  };
}
