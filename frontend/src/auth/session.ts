/**
 * The part of Cognito the first page needs: configure Amplify, read (and
 * silently refresh) the stored session, sign out. Sign-in/up screens pull in
 * the rest from ./actions lazily.
 */
import { Amplify } from "aws-amplify";
import { fetchAuthSession, signOut as amplifySignOut } from "aws-amplify/auth";
import type { AppConfig } from "../config";
import { installRefresher } from "./refresh";

export interface SessionUser {
  sub: string;
  email: string;
}

export function configureAuth(config: AppConfig): void {
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: config.userPoolId,
        userPoolClientId: config.userPoolClientId,
        // moto locally; absent on AWS, where Amplify derives the regional endpoint.
        ...(config.cognitoEndpoint ? { userPoolEndpoint: config.cognitoEndpoint } : {}),
        loginWith: { email: true },
        signUpVerificationMethod: "code",
      },
    },
  });
  installRefresher(config.cognitoEndpoint ?? `https://cognito-idp.${config.region}.amazonaws.com/`, config.userPoolClientId);
}

/** The current ID token, refreshed with the refresh token when it has expired; null when there is no session. */
export async function currentIdToken(): Promise<string | null> {
  try {
    const session = await fetchAuthSession();
    return session.tokens?.idToken?.toString() ?? null;
  } catch {
    return null;
  }
}

/** Who is signed in, from the (refreshed) ID token; null when nobody is. */
export async function currentUser(): Promise<SessionUser | null> {
  try {
    const session = await fetchAuthSession();
    const payload = session.tokens?.idToken?.payload;
    if (!payload || typeof payload.sub !== "string") return null;
    return { sub: payload.sub, email: typeof payload.email === "string" ? payload.email : "" };
  } catch {
    return null;
  }
}

export async function signOut(): Promise<void> {
  try {
    await amplifySignOut();
  } catch {
    // Tokens are cleared locally even when the revoke call fails (offline, say).
  }
}
