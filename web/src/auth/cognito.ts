/**
 * The Cognito user pool API (JSON over HTTPS, the calls a public app client may make
 * without AWS credentials), called with fetch. The same code talks to Cognito on AWS and
 * to the local stand-in (moto plus tools/local_cognito.py) at `cognitoEndpoint`.
 */
import type { AppConfig } from "../config";

export interface CognitoTarget {
  endpoint: string;
  clientId: string;
  userPoolId: string;
}

export function cognitoTarget(config: AppConfig): CognitoTarget {
  return {
    endpoint: config.cognitoEndpoint ?? `https://cognito-idp.${config.region}.amazonaws.com/`,
    clientId: config.userPoolClientId,
    userPoolId: config.userPoolId,
  };
}

/** An error Cognito answered with; `name` is its exception type (NotAuthorizedException, …). */
export class CognitoError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export interface AuthenticationResult {
  AccessToken: string;
  IdToken: string;
  RefreshToken?: string;
}

/** One call: `action` is the API operation (InitiateAuth, SignUp, …). Network failures stay TypeErrors. */
export async function callCognito<T>(target: CognitoTarget, action: string, body: Record<string, unknown>): Promise<T> {
  const response = await fetch(target.endpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `AWSCognitoIdentityProviderService.${action}`,
    },
    body: JSON.stringify({ ClientId: target.clientId, ...body }),
  });
  let answer: Record<string, unknown> = {};
  try {
    answer = (await response.json()) as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's error page): the status decides below.
  }
  if (!response.ok) {
    const type = typeof answer.__type === "string" ? (answer.__type.split("#").pop() ?? "") : "";
    const message = typeof answer.message === "string" ? answer.message : (answer.Message as string | undefined);
    throw new CognitoError(type || `HTTP${response.status}`, message ?? `The sign-in service answered HTTP ${response.status}.`);
  }
  return answer as T;
}
