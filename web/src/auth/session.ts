/**
 * The signed-in session: Cognito's tokens, kept in this tab's sessionStorage (never in
 * localStorage), refreshed with GetTokensFromRefreshToken shortly before the ID token
 * expires, revoked with RevokeToken at sign-out. Other tabs of this app hand their
 * session to a new tab over a BroadcastChannel, so opening a second tab needs no new
 * sign-in, and a refresh or sign-out in one tab reaches that user's other tabs.
 *
 * A tab belongs to one user for its whole life (its owner, until it signs out): it takes
 * a session from another tab only when it opens (and has no owner yet) or when it is its
 * owner's own refreshed session, and a sign-in as anyone else is refused. Only Cognito's
 * refusal of the refresh token ends a session; a tab whose session ended keeps no tokens,
 * so it has nothing to hand over. A refresh that cannot reach Cognito is tried again at
 * the next request, and the tokens stay.
 */
import type { AppConfig } from "../config";
import { callCognito, cognitoTarget, CognitoError, type AuthenticationResult, type CognitoTarget } from "./cognito";
import { session } from "../webStorage";
import { jwtClaims, tokenSubject } from "./jwt";

export interface SessionUser {
  sub: string;
  email: string;
  /** This tab's session has ended (Cognito refused its refresh token): only this user may sign in here again. */
  ended?: true;
}

interface Tokens {
  idToken: string;
  accessToken: string;
  refreshToken: string;
  /** When to refresh, on this device's clock (so a clock that is off does not matter). */
  refreshAt: number;
}

const STORAGE_KEY = "auth:session";
/** The user this tab belongs to: set by its first session, forgotten at sign-out. */
const OWNER_KEY = "auth:owner";
const CHANNEL = "auth";
/** Refresh this long before the ID token expires, so a request never carries one about to lapse. */
const REFRESH_MARGIN_S = 60;
/** How long a new tab waits for another tab to hand over its session. */
const HANDOVER_WAIT_MS = 150;

let target: CognitoTarget | null = null;
let inFlight: Promise<Tokens | null> | null = null;
let channel: BroadcastChannel | null = null;
let ready: Promise<void> = Promise.resolve();
/** True while this tab, just opened, waits for another tab's session. */
let asking = false;

/** Cognito's answers that mean the refresh token is no good (revoked, expired, user gone): the session is over. */
const REFUSALS = new Set([
  "NotAuthorizedException",
  "UserNotFoundException",
  "UserNotConfirmedException",
  "PasswordResetRequiredException",
  "InvalidParameterException",
]);

/** Thrown when the ID token has expired and Cognito could not be reached to refresh it (offline, say). */
export class SignInUnreachableError extends Error {
  override name = "SignInUnreachableError";
  constructor() {
    super("Can't reach the sign-in service. Your changes wait on this device until it can be reached.");
  }
}

/** A sign-in as someone other than the user this tab belongs to. */
export class OtherAccountError extends Error {
  override name = "OtherAccountError";
  constructor() {
    super("This tab belongs to another account. Sign out first, or open a new tab.");
  }
}

type Message = { type: "ask" } | { type: "session"; tokens: Tokens } | { type: "signedOut"; sub: string | null };

export function configureAuth(config: AppConfig): void {
  target = cognitoTarget(config);
  channel?.close();
  channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(CHANNEL) : null;
  channel?.addEventListener("message", (event: MessageEvent<Message>) => {
    const message = event.data;
    const mine = read();
    // A tab whose session ended has no tokens, so nothing to hand over.
    if (message.type === "ask" && mine) channel?.postMessage({ type: "session", tokens: mine } satisfies Message);
    else if (message.type === "session") {
      // This tab's owner refreshed or signed in again elsewhere: take it. A new tab takes
      // the first session handed over. Anyone else's session is never taken.
      const mineSub = currentOwner();
      const theirs = tokenSubject(message.tokens.idToken);
      if (theirs !== null && (mineSub === null ? asking : mineSub === theirs)) write(message.tokens);
    } else if (message.type === "signedOut" && message.sub !== null && message.sub === currentOwner()) {
      // This tab's owner signed out in another tab: so here too.
      clear();
      forgetOwner();
    }
  });
  ready = read() || currentOwner() || !channel ? Promise.resolve() : askOtherTabs();
}

/** A new tab asks the open ones for their session and waits briefly for an answer. */
function askOtherTabs(): Promise<void> {
  return new Promise((resolve) => {
    asking = true;
    const done = () => {
      asking = false;
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
  return session.getJson<Tokens>(STORAGE_KEY);
}

/** Blocked storage: the session (and the tab's owner) last as long as this page. */
let memoryOwner: SessionUser | null = null;

function userFrom(idToken: string): SessionUser | null {
  const { sub, email } = jwtClaims(idToken);
  return typeof sub === "string" ? { sub, email: typeof email === "string" ? email : "" } : null;
}

/** Who this tab belongs to; a tab signed in before owners were kept belongs to its tokens' user. */
function owner(): SessionUser | null {
  // Storage blocked: the owner kept in memory.
  const stored = session.getJson<SessionUser>(OWNER_KEY, memoryOwner);
  if (stored) return stored;
  const tokens = read();
  return tokens ? userFrom(tokens.idToken) : null;
}

function currentOwner(): string | null {
  return owner()?.sub ?? null;
}

function write(tokens: Tokens): void {
  memoryOwner = userFrom(tokens.idToken);
  // Storage blocked: the session lasts as long as this page.
  session.setJson(STORAGE_KEY, tokens);
  if (memoryOwner) session.setJson(OWNER_KEY, memoryOwner);
}

/** Forgets the tab's owner too: anyone may sign in here next. */
function forgetOwner(): void {
  memoryOwner = null;
  session.remove(OWNER_KEY);
}

/** Forgets the tokens; the tab still belongs to its owner (only they can sign in again here). */
function clear(): void {
  session.remove(STORAGE_KEY);
}

function requireTarget(): CognitoTarget {
  if (!target) throw new Error("configureAuth() must run first.");
  return target;
}

/** A call to this app's user pool (see ./cognito). */
export function cognito<T>(action: string, body: Record<string, unknown>): Promise<T> {
  return callCognito<T>(requireTarget(), action, body);
}

/** The pool the sign-in screens use. */
export function signInSettings(): { userPoolId: string } {
  return { userPoolId: requireTarget().userPoolId };
}

/** Keeps the tokens a sign-in returned, and tells the other tabs. */
export function storeSession(result: AuthenticationResult): void {
  if (!result.RefreshToken) throw new CognitoError("NotAuthorizedException", "Cognito returned no refresh token.");
  const tokens = tokensFrom(result, result.RefreshToken);
  const mine = currentOwner();
  if (mine !== null && mine !== tokenSubject(tokens.idToken)) throw new OtherAccountError();
  write(tokens);
  channel?.postMessage({ type: "session", tokens } satisfies Message);
}

/** The tokens from Cognito's answer, to be refreshed a little before the ID token's lifetime ends. */
function tokensFrom(result: AuthenticationResult, refreshToken: string): Tokens {
  const { exp, iat } = jwtClaims(result.IdToken);
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
    if (tokenSubject(next.idToken) !== tokenSubject(tokens.idToken)) throw new CognitoError("NotAuthorizedException", "Refreshed as another user.");
    write(next);
    channel?.postMessage({ type: "session", tokens: next } satisfies Message);
    return next;
  } catch (error) {
    // Refused (revoked, expired): the session is over.
    if (error instanceof CognitoError && REFUSALS.has(error.name)) {
      if (read()?.refreshToken === tokens.refreshToken) clear();
      return null;
    }
    // Not reached (offline, Cognito busy): keep the session, try again at the next request.
    if (Date.now() < tokens.refreshAt + REFRESH_MARGIN_S * 1000) return tokens;
    throw new SignInUnreachableError();
  }
}

/**
 * The current tokens, refreshed when the ID token is about to expire (or at once with
 * `renew`); null when there is no session. Throws SignInUnreachableError when the ID
 * token has expired and Cognito can't be reached.
 */
async function currentTokens(renew = false): Promise<Tokens | null> {
  await ready;
  const tokens = read();
  if (!tokens) return null;
  if (!renew && Date.now() < tokens.refreshAt) return tokens;
  // Many requests may find the token expiring at once: one refresh serves them all.
  inFlight ??= refresh(tokens).finally(() => {
    inFlight = null;
  });
  return inFlight;
}

/**
 * The ID token for the API's Authorization header, or null when the session has ended.
 * `renew` refreshes it first (the API refused the one it had). Throws
 * SignInUnreachableError when it has expired and Cognito can't be reached.
 */
export async function currentIdToken(renew = false): Promise<string | null> {
  return (await currentTokens(renew))?.idToken ?? null;
}

/**
 * Who is signed in (known offline too); `ended` when this tab's session has ended and
 * only its owner may sign in again here; null when the tab is signed out.
 */
export async function currentUser(): Promise<SessionUser | null> {
  try {
    await currentTokens();
  } catch {
    // Cognito unreachable: the session stands, refreshed later.
  }
  const tokens = read();
  if (tokens) return userFrom(tokens.idToken);
  const ended = owner();
  return ended ? { ...ended, ended: true } : null;
}

/** The API refused this session's tokens: it has ended here (the tab keeps its owner, and hands nothing over). */
export function endSession(): void {
  clear();
}

/** Ends the session here and in the owner's other tabs, and revokes the refresh token (and the tokens it issued). */
export async function signOut(): Promise<void> {
  const tokens = read();
  const sub = currentOwner();
  clear();
  forgetOwner();
  channel?.postMessage({ type: "signedOut", sub } satisfies Message);
  if (!tokens) return;
  try {
    await cognito("RevokeToken", { Token: tokens.refreshToken });
  } catch {
    // Signed out here even when the revoke call fails (offline, say); the token then lapses by itself.
  }
}
