/**
 * Cognito calls behind the sign-in, sign-up and password screens.
 *
 * Sign-in uses USER_PASSWORD_AUTH (the app client allows it, and TLS protects
 * the password): moto, the local Cognito, answers SRP without checking the
 * password at all, so one flow that really verifies passwords both locally
 * and on AWS is this one.
 */
import {
  confirmResetPassword,
  confirmSignUp as amplifyConfirmSignUp,
  resendSignUpCode,
  resetPassword,
  signIn as amplifySignIn,
  signUp as amplifySignUp,
} from "aws-amplify/auth";

export type SignInResult = { kind: "signedIn" } | { kind: "needsConfirmation" };

export async function signIn(email: string, password: string): Promise<SignInResult> {
  try {
    const result = await amplifySignIn({
      username: email.trim(),
      password,
      options: { authFlowType: "USER_PASSWORD_AUTH" },
    });
    if (result.isSignedIn) return { kind: "signedIn" };
    if (result.nextStep.signInStep === "CONFIRM_SIGN_UP") return { kind: "needsConfirmation" };
    throw new Error(`This account needs a sign-in step the app doesn't support (${result.nextStep.signInStep}).`);
  } catch (error) {
    if (error instanceof Error && error.name === "UserNotConfirmedException") {
      return { kind: "needsConfirmation" };
    }
    if (error instanceof Error && error.name === "UserAlreadyAuthenticatedException") {
      return { kind: "signedIn" };
    }
    throw error;
  }
}

export async function signUp(email: string, password: string): Promise<{ confirmed: boolean }> {
  const result = await amplifySignUp({
    username: email.trim(),
    password,
    options: { userAttributes: { email: email.trim() } },
  });
  return { confirmed: result.isSignUpComplete };
}

export async function confirmSignUp(email: string, code: string): Promise<void> {
  await amplifyConfirmSignUp({ username: email.trim(), confirmationCode: code.trim() });
}

export async function resendCode(email: string): Promise<void> {
  await resendSignUpCode({ username: email.trim() });
}

export async function requestPasswordReset(email: string): Promise<void> {
  await resetPassword({ username: email.trim() });
}

export async function setNewPassword(email: string, code: string, newPassword: string): Promise<void> {
  await confirmResetPassword({ username: email.trim(), confirmationCode: code.trim(), newPassword });
}
