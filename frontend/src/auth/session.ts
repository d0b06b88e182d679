/**
 * The signed-in session: Cognito's tokens, kept in this tab's sessionStorage (never in
 * localStorage), refreshed with GetTokensFromRefreshToken shortly before the ID token
 * expires, revoked with RevokeToken at sign-out. Other tabs of this app hand their
 * session to a new tab over a BroadcastChannel, so opening a second tab needs no new
 * sign-in, and a refresh or sign-out in one tab reaches the others.
 */
import type { AppConfig } from "../config";
import { callCognito, cognitoTarget, CognitoError, type AuthenticationResult, type CognitoTarget } from "./cognito";

export interface SessionUser {
  sub: string;
  email: string;
}

interface Tokens {
  idToken: string;
  accessToken: string;
  refreshToken: string;
  /** When to refresh, on this device's clock (so a clock that is off does not matter). */
  refreshAt: number;
}

const STORAGE_KEY = "auth:session";
const CHANNEL = "auth";
/** Refresh this long before the ID token expires, so a request never carries one about to lapse. */
const REFRESH_MARGIN_S = 60;
/** How long a new tab waits for another tab to hand over its session. */
const HANDOVER_WAIT_MS = 150;

let target: CognitoTarget | null = null;
let flow: AppConfig["authFlow"] = "USER_SRP_AUTH";
let inFlight: Promise<Tokens | null> | null = null;
let channel: BroadcastChannel | null = null;
let ready: Promise<void> = Promise.resolve();

type Message = { type: "ask" } | { type: "session"; tokens: Tokens } | { type: "signedOut" };

export function configureAuth(config: AppConfig): void {
  target = cognitoTarget(config);
  flow = config.authFlow;
  channel?.close();
  channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(CHANNEL) : null;
  channel?.addEventListener("message", (event: MessageEvent<Message>) => {
    const message = event.data;
    const mine = read();
    if (message.type === "ask" && mine) channel?.postMessage({ type: "session", tokens: mine } satisfies Message);
    // Another tab signed in or refreshed: take it, unless this tab is someone else's session.
    else if (message.type === "session" && (!mine || subject(mine) === subject(message.tokens))) write(message.tokens);
    else if (message.type === "signedOut") clear();
  });
  ready = read() || !channel ? Promise.resolve() : askOtherTabs();
}

/** A new tab asks the open ones for their session and waits briefly for an answer. */
function askOtherTabs(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      channel?.removeEventListener("message", onMessage);
      clearTimeout(timer);
      resolve();
    };
    const onMessage = (event: MessageEvent<Message>) => {
      if (event.data.type === "session") done();
    };
    const timer = setTimeout(done, HANDOVER_WAIT_MS);
    channel?.addEventListener("message", onMessage);
    channel?.postMessage({ type: "ask" } satisfies Message);
  });
}

function read(): Tokens | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Tokens) : null;
  } catch {
    return null;
  }
}

function write(tokens: Tokens): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(tokens));
  } catch {
    // Storage blocked: the session lasts as long as this page.
  }
}

function clear(): void {
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Storage blocked: nothing was stored.
  }
}

function requireTarget(): CognitoTarget {
  if (!target) throw new Error("configureAuth() must run first.");
  return target;
}

/** A call to this app's user pool (see ./cognito). */
export function cognito<T>(action: string, body: Record<string, unknown>): Promise<T> {
  return callCognito<T>(requireTarget(), action, body);
}

/** The sign-in flow and pool the screens use (config.json's authFlow). */
export function signInSettings(): { flow: AppConfig["authFlow"]; userPoolId: string } {
  return { flow, userPoolId: requireTarget().userPoolId };
}

/** Keeps the tokens a sign-in returned, and tells the other tabs. */
export function storeSession(result: AuthenticationResult): void {
  if (!result.RefreshToken) throw new CognitoError("NotAuthorizedException", "Cognito returned no refresh token.");
  const tokens = tokensFrom(result, result.RefreshToken);
  write(tokens);
  channel?.postMessage({ type: "session", tokens } satisfies Message);
}

function jwtPayload(token: string): Record<string, unknown> {
  const part = token.split(".")[1] ?? "";
  const json = atob(part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "="));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
}

function subject(tokens: Tokens): unknown {
  return jwtPayload(tokens.idToken).sub;
}

/** The tokens from Cognito's answer, to be refreshed a little before the ID token's lifetime ends. */
function tokensFrom(result: AuthenticationResult, refreshToken: string): Tokens {
  const { exp, iat } = jwtPayload(result.IdToken);
  const lifetime = typeof exp === "number" && typeof iat === "number" ? exp - iat : 0;
  return {
    idToken: result.IdToken,
    accessToken: result.AccessToken,
    refreshToken,
    refreshAt: Date.now() + Math.max(0, lifetime - REFRESH_MARGIN_S) * 1000,
  };
}

async function refresh(tokens: Tokens): Promise<Tokens | null> {
  try {
    const { AuthenticationResult: result } = await cognito<{ AuthenticationResult: AuthenticationResult }>(
      "GetTokensFromRefreshToken",
      { RefreshToken: tokens.refreshToken },
    );
    // Rotation, when the app client has it on, sends a new refresh token.
    const next = tokensFrom(result, result.RefreshToken ?? tokens.refreshToken);
    write(next);
    channel?.postMessage({ type: "session", tokens: next } satisfies Message);
    return next;
  } catch (error) {
    // Refused (revoked, expired): the session is over. Offline: keep it for later.
    if (error instanceof CognitoError) clear();
    return null;
  }
}

/** The current tokens, refreshed when the ID token is about to expire; null when there is no session. */
async function currentTokens(): Promise<Tokens | null> {
  await ready;
  const tokens = read();
  if (!tokens) return null;
  if (Date.now() < tokens.refreshAt) return tokens;
  // Many requests may find the token expiring at once: one refresh serves them all.
  inFlight ??= refresh(tokens).finally(() => {
    inFlight = null;
  });
  return inFlight;
}

/** The ID token for the API's Authorization header, or null when there is no usable session. */
export async function currentIdToken(): Promise<string | null> {
  return (await currentTokens())?.idToken ?? null;
}

/** Who is signed in, from the (refreshed) ID token; null when nobody is. */
export async function currentUser(): Promise<SessionUser | null> {
  const tokens = await currentTokens();
  if (!tokens) return null;
  const { sub, email } = jwtPayload(tokens.idToken);
  return typeof sub === "string" ? { sub, email: typeof email === "string" ? email : "" } : null;
}

/** Ends the session here and in the other tabs, and revokes the refresh token (and the tokens it issued). */
export async function signOut(): Promise<void> {
  const tokens = read();
  clear();
  channel?.postMessage({ type: "signedOut" } satisfies Message);
  if (!tokens) return;
  try {
    await cognito("RevokeToken", { Token: tokens.refreshToken });
  } catch {
    // Signed out here even when the revoke call fails (offline, say); the token then lapses by itself.
  }
}
