import type { AppConfig } from "../config";
import { configureAuth, currentIdToken, currentUser, endSession, OtherAccountError, signOut, SignInUnreachableError, storeSession } from "./session";

const config: AppConfig = {
  apiUrl: "https://api.test",
  region: "eu-west-1",
  userPoolId: "eu-west-1_Pool",
  userPoolClientId: "client-1",
  cognitoEndpoint: "https://cognito.test/",
};

function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${part({ alg: "RS256" })}.${part(claims)}.signature`;
}

function idToken(n: number): string {
  const iat = Math.floor(Date.now() / 1000);
  return jwt({ sub: "user-1", email: "ann@example.com", iat, exp: iat + 3600, n });
}

type Call = { target: string; body: Record<string, unknown> };

/** Cognito's endpoint: answers each call with `answer(target)`. */
function cognito(answer: (target: string) => Response | Promise<Response>) {
  const calls: Call[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (_url: string, init: RequestInit) => {
      const target = String((init.headers as Record<string, string>)["X-Amz-Target"]).split(".").pop() ?? "";
      calls.push({ target, body: JSON.parse(String(init.body)) as Record<string, unknown> });
      return answer(target);
    }),
  );
  return calls;
}

const ok = (body: unknown) => new Response(JSON.stringify(body), { status: 200 });
const refused = () => new Response(JSON.stringify({ __type: "NotAuthorizedException", message: "Refresh Token has been revoked" }), { status: 400 });

describe("session", () => {
  beforeEach(() => {
    sessionStorage.clear();
    localStorage.clear();
    vi.useRealTimers();
    configureAuth(config);
  });
  afterEach(() => vi.unstubAllGlobals());

  it("uses the stored ID token until it is due, then refreshes it once for all callers", async () => {
    let n = 1;
    const calls = cognito(() => ok({ AuthenticationResult: { IdToken: idToken(++n), AccessToken: "access-2" } }));
    const first = idToken(1);
    storeSession({ IdToken: first, AccessToken: "access-1", RefreshToken: "refresh-1" });
    expect(await currentIdToken()).toBe(first);
    expect(await currentUser()).toEqual({ sub: "user-1", email: "ann@example.com" });
    expect(calls).toHaveLength(0);

    vi.useFakeTimers({ now: Date.now() + 3600_000, toFake: ["Date"] });
    const tokens = await Promise.all([currentIdToken(), currentIdToken(), currentIdToken()]);
    expect(calls).toEqual([{ target: "GetTokensFromRefreshToken", body: { ClientId: "client-1", RefreshToken: "refresh-1" } }]);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(first);
    expect(await currentIdToken()).toBe(tokens[0]);
    expect(calls).toHaveLength(1);
  });

  it("keeps the refresh token out of localStorage", () => {
    storeSession({ IdToken: idToken(1), AccessToken: "access-1", RefreshToken: "refresh-secret" });
    expect(JSON.stringify({ ...localStorage })).not.toContain("refresh-secret");
    expect(sessionStorage.getItem("auth:session")).toContain("refresh-secret");
  });

  it("ends the session only when Cognito refuses the refresh token", async () => {
    const token = idToken(1);
    storeSession({ IdToken: token, AccessToken: "a", RefreshToken: "r" });
    // Due for refresh (a minute before the ID token expires), and the network is down:
    // the token still works, so the app carries on with it.
    vi.useFakeTimers({ now: Date.now() + 3560_000, toFake: ["Date"] });
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    expect(await currentIdToken()).toBe(token);
    // Expired and still offline: nothing to send with, but the session stands.
    vi.setSystemTime(Date.now() + 60_000);
    await expect(currentIdToken()).rejects.toBeInstanceOf(SignInUnreachableError);
    expect(await currentUser()).toEqual({ sub: "user-1", email: "ann@example.com" });
    expect(sessionStorage.getItem("auth:session")).not.toBeNull();
    // Cognito having a bad moment is not a refusal either.
    cognito(() => new Response(JSON.stringify({ __type: "InternalErrorException", message: "oops" }), { status: 500 }));
    await expect(currentIdToken()).rejects.toBeInstanceOf(SignInUnreachableError);
    expect(sessionStorage.getItem("auth:session")).not.toBeNull();
    // Refused: over, and the tab still says whose it is.
    cognito(refused);
    expect(await currentIdToken()).toBeNull();
    expect(sessionStorage.getItem("auth:session")).toBeNull();
    expect(await currentUser()).toEqual({ sub: "user-1", email: "ann@example.com", ended: true });
  });

  it("a tab whose session ended never takes another user's session, and hands nothing over", async () => {
    storeSession({ IdToken: idToken(1), AccessToken: "a", RefreshToken: "r" });
    vi.useFakeTimers({ now: Date.now() + 3600_000, toFake: ["Date"] });
    cognito(refused);
    expect(await currentIdToken()).toBeNull();

    const otherTab = new BroadcastChannel("auth");
    const answers: unknown[] = [];
    otherTab.onmessage = (event: MessageEvent) => answers.push(event.data);
    const stranger = jwt({ sub: "user-2", email: "dan@example.com", iat: 1, exp: 9999999999 });
    otherTab.postMessage({ type: "session", tokens: { idToken: stranger, accessToken: "a", refreshToken: "r2", refreshAt: Date.now() + 60_000 } });
    otherTab.postMessage({ type: "ask" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answers).toEqual([]);
    expect(await currentIdToken()).toBeNull();
    expect(await currentUser()).toMatchObject({ sub: "user-1", ended: true });
    // Nor can another account sign in here: only this tab's user, or a sign-out first.
    expect(() => storeSession({ IdToken: stranger, AccessToken: "a", RefreshToken: "r2" })).toThrow(OtherAccountError);
    storeSession({ IdToken: idToken(3), AccessToken: "a", RefreshToken: "r3" });
    expect(await currentUser()).toEqual({ sub: "user-1", email: "ann@example.com" });
    otherTab.close();
  });

  it("a signed-out tab does not take a session another tab signs in with", async () => {
    expect(await currentUser()).toBeNull(); // no tab answered
    const otherTab = new BroadcastChannel("auth");
    otherTab.postMessage({ type: "session", tokens: { idToken: idToken(1), accessToken: "a", refreshToken: "r", refreshAt: Date.now() + 60_000 } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await currentIdToken()).toBeNull();
    otherTab.close();
  });

  it("a session the API refused is forgotten, so no new tab gets it", async () => {
    storeSession({ IdToken: idToken(1), AccessToken: "a", RefreshToken: "r" });
    endSession();
    const newTab = new BroadcastChannel("auth");
    const answers: unknown[] = [];
    newTab.onmessage = (event: MessageEvent) => answers.push(event.data);
    newTab.postMessage({ type: "ask" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answers).toEqual([]);
    newTab.close();
  });

  it("another user signing out in another tab leaves this tab signed in", async () => {
    const token = idToken(1);
    storeSession({ IdToken: token, AccessToken: "a", RefreshToken: "r" });
    const otherTab = new BroadcastChannel("auth");
    otherTab.postMessage({ type: "signedOut", sub: "user-2" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await currentIdToken()).toBe(token);
    otherTab.postMessage({ type: "signedOut", sub: "user-1" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await currentUser()).toBeNull();
    otherTab.close();
  });

  it("signs out by forgetting the tokens and revoking the refresh token", async () => {
    const calls = cognito(() => ok({}));
    storeSession({ IdToken: idToken(1), AccessToken: "a", RefreshToken: "refresh-1" });
    await signOut();
    expect(calls).toEqual([{ target: "RevokeToken", body: { ClientId: "client-1", Token: "refresh-1" } }]);
    expect(await currentUser()).toBeNull();
  });

  it("takes another tab's refreshed tokens, but never another user's session", async () => {
    const mine = idToken(1);
    storeSession({ IdToken: mine, AccessToken: "a", RefreshToken: "r" });
    const otherTab = new BroadcastChannel("auth");
    const refreshed = idToken(2);
    const stranger = jwt({ sub: "user-2", iat: 1, exp: 9999999999 });
    otherTab.postMessage({ type: "session", tokens: { idToken: refreshed, accessToken: "a", refreshToken: "r", refreshAt: Date.now() + 60_000 } });
    otherTab.postMessage({ type: "session", tokens: { idToken: stranger, accessToken: "a", refreshToken: "r2", refreshAt: Date.now() + 60_000 } });
    // Asked after both arrived (messages keep their order), this tab answers with what it kept.
    const answer = new Promise<string>((resolve) => {
      otherTab.onmessage = (event: MessageEvent<{ type: string; tokens?: { idToken: string } }>) => {
        if (event.data.type === "session" && event.data.tokens) resolve(event.data.tokens.idToken);
      };
    });
    otherTab.postMessage({ type: "ask" });
    expect(await answer).toBe(refreshed);
    otherTab.close();
  });

  it("a new tab takes the session an open tab hands over", async () => {
    const token = idToken(7);
    const openTab = new BroadcastChannel("auth");
    openTab.onmessage = (event: MessageEvent<{ type: string }>) => {
      if (event.data.type === "ask") {
        openTab.postMessage({ type: "session", tokens: { idToken: token, accessToken: "a", refreshToken: "r", refreshAt: Date.now() + 60_000 } });
      }
    };
    configureAuth(config);
    expect(await currentIdToken()).toBe(token);
    openTab.close();
  });
});
