/** Cognito errors (and the sign-in form's own checks) in plain words. */
const MESSAGES: Record<string, string> = {
  NotAuthorizedException: "That email and password don't match. Check them and try again.",
  UserNotFoundException: "That email and password don't match. Check them and try again.",
  UsernameExistsException: "There's already an account with this email. Sign in instead, or reset the password.",
  InvalidPasswordException: "That password doesn't meet the rules shown below the field.",
  CodeMismatchException: "That code isn't right. Check the latest email we sent and try again.",
  ExpiredCodeException: "That code has expired. Send yourself a new one.",
  LimitExceededException: "Too many attempts. Wait a few minutes, then try again.",
  TooManyRequestsException: "Too many attempts. Wait a few minutes, then try again.",
  TooManyFailedAttemptsException: "Too many attempts. Wait a few minutes, then try again.",
  CodeDeliveryFailureException: "We couldn't send the code. Check the email address and try again.",
  NetworkError: "Can't reach the sign-in service. Check your connection and try again.",
  EmptySignInUsername: "Enter your email address.",
  EmptySignInPassword: "Enter your password.",
  EmptySignUpUsername: "Enter your email address.",
  EmptySignUpPassword: "Choose a password.",
  EmptyConfirmSignUpCode: "Enter the code from the email.",
  EmptyConfirmResetPasswordConfirmationCode: "Enter the code from the email.",
  EmptyConfirmResetPasswordNewPassword: "Choose a new password.",
  EmptyResetPasswordUsername: "Enter your email address.",
};

export function authErrorMessage(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === "NotAuthorizedException" && /attempts exceeded/i.test(error.message)) {
      return MESSAGES.LimitExceededException ?? error.message;
    }
    if (error.name === "InvalidParameterException" && /password/i.test(error.message)) {
      return MESSAGES.InvalidPasswordException ?? error.message;
    }
    const known = MESSAGES[error.name];
    if (known) return known;
    if (error instanceof TypeError || /network|failed to fetch/i.test(error.message)) {
      return MESSAGES.NetworkError ?? error.message;
    }
    if (error.message) return error.message;
  }
  return "Something went wrong. Please try again.";
}
