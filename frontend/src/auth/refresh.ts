/**
 * Silent session refresh through Cognito's InitiateAuth REFRESH_TOKEN_AUTH.
 *
 * Amplify's own refresher calls GetTokensFromRefreshToken, which moto (the local
 * Cognito) does not implement; REFRESH_TOKEN_AUTH works on both, and the app client
 * allows it, so one refresh path is tested locally and runs on AWS.
 */
import { cognitoUserPoolsTokenProvider } from "aws-amplify/auth/cognito";

type TokenRefresher = Parameters<typeof cognitoUserPoolsTokenProvider.tokenOrchestrator.setTokenRefresher>[0];
type Tokens = Awaited<ReturnType<TokenRefresher>>;
type Jwt = NonNullable<Tokens["idToken"]>;

function decodeJwt(token: string): Jwt {
  const part = token.split(".")[1] ?? "";
  const json = atob(part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "="));
  return { payload: JSON.parse(json) as Jwt["payload"], toString: () => token };
}

export function createRefresher(endpoint: string, clientId: string): TokenRefresher {
  let inFlight: Promise<Tokens> | null = null;

  const refresh: TokenRefresher = async ({ tokens, username }) => {
    if (!tokens.refreshToken) throw Object.assign(new Error("No refresh token."), { name: "NotAuthorizedException" });
    const response = await fetch(endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
      },
      body: JSON.stringify({
        AuthFlow: "REFRESH_TOKEN_AUTH",
        ClientId: clientId,
        AuthParameters: { REFRESH_TOKEN: tokens.refreshToken },
      }),
    });
    const body = (await response.json()) as {
      AuthenticationResult?: { AccessToken: string; IdToken?: string; RefreshToken?: string };
      __type?: string;
      message?: string;
    };
    const result = body.AuthenticationResult;
    if (!response.ok || !result) {
      // Amplify clears the stored session when the refresher fails, so the app asks to sign in.
      throw Object.assign(new Error(body.message ?? "Session refresh failed."), {
        name: body.__type?.split("#").pop() ?? "NotAuthorizedException",
      });
    }
    const accessToken = decodeJwt(result.AccessToken);
    const issuedAt = Number(accessToken.payload.iat ?? 0);
    return {
      accessToken,
      idToken: result.IdToken ? decodeJwt(result.IdToken) : undefined,
      refreshToken: result.RefreshToken ?? tokens.refreshToken,
      clockDrift: issuedAt * 1000 - Date.now(),
      username,
    };
  };

  // Many requests may find the token expired at once: one refresh serves them all.
  return (options) => {
    inFlight ??= refresh(options).finally(() => {
      inFlight = null;
    });
    return inFlight;
  };
}

export function installRefresher(endpoint: string, clientId: string): void {
  cognitoUserPoolsTokenProvider.tokenOrchestrator.setTokenRefresher(createRefresher(endpoint, clientId));
}
