/**
 * Cognito calls behind the sign-in, sign-up and password screens (loaded with them).
 *
 * Sign-in is USER_SRP_AUTH everywhere, as the deployed app clients allow: the password
 * never leaves the browser. The local stand-in checks the SRP proof too
 * (tools/local_cognito.py), so the browser tests sign in as production does.
 */
import type { AuthenticationResult } from "./cognito";
import { cognito, signInSettings, storeSession } from "./session";
import { newEphemeral, paddedHex, passwordClaim, type PasswordVerifierChallenge } from "./srp";

export type SignInResult = { kind: "signedIn" } | { kind: "needsConfirmation" };

interface InitiateAuthAnswer {
  AuthenticationResult?: AuthenticationResult;
  ChallengeName?: string;
  ChallengeParameters?: Record<string, string>;
  Session?: string;
}

async function authenticate(username: string, password: string): Promise<InitiateAuthAnswer> {
  const { userPoolId } = signInSettings();
  const ephemeral = newEphemeral();
  const challenge = await cognito<InitiateAuthAnswer>("InitiateAuth", {
    AuthFlow: "USER_SRP_AUTH",
    AuthParameters: { USERNAME: username, SRP_A: paddedHex(ephemeral.A) },
  });
  if (challenge.ChallengeName !== "PASSWORD_VERIFIER") return challenge;
  const claim = await passwordClaim(
    userPoolId,
    password,
    ephemeral,
    challenge.ChallengeParameters as unknown as PasswordVerifierChallenge,
  );
  return cognito("RespondToAuthChallenge", {
    ChallengeName: "PASSWORD_VERIFIER",
    ChallengeResponses: claim,
    ...(challenge.Session ? { Session: challenge.Session } : {}),
  });
}

/** An error named like Cognito's, for what the form can tell before asking. */
function missing(name: string): Error {
  return Object.assign(new Error(name), { name });
}

export async function signIn(email: string, password: string): Promise<SignInResult> {
  if (!email.trim()) throw missing("EmptySignInUsername");
  if (!password) throw missing("EmptySignInPassword");
  try {
    const answer = await authenticate(email.trim(), password);
    if (answer.AuthenticationResult) {
      storeSession(answer.AuthenticationResult);
      return { kind: "signedIn" };
    }
    throw new Error(`This account needs a sign-in step the app doesn't support (${answer.ChallengeName ?? "unknown"}).`);
  } catch (error) {
    if (error instanceof Error && error.name === "UserNotConfirmedException") return { kind: "needsConfirmation" };
    throw error;
  }
}

export async function signUp(email: string, password: string): Promise<{ confirmed: boolean }> {
  const answer = await cognito<{ UserConfirmed?: boolean }>("SignUp", {
    Username: email.trim(),
    Password: password,
    UserAttributes: [{ Name: "email", Value: email.trim() }],
  });
  return { confirmed: answer.UserConfirmed === true };
}

export async function confirmSignUp(email: string, code: string): Promise<void> {
  await cognito("ConfirmSignUp", { Username: email.trim(), ConfirmationCode: code.trim() });
}

export async function resendCode(email: string): Promise<void> {
  await cognito("ResendConfirmationCode", { Username: email.trim() });
}

export async function requestPasswordReset(email: string): Promise<void> {
  await cognito("ForgotPassword", { Username: email.trim() });
}

export async function setNewPassword(email: string, code: string, newPassword: string): Promise<void> {
  await cognito("ConfirmForgotPassword", { Username: email.trim(), ConfirmationCode: code.trim(), Password: newPassword });
}
