import type { AppConfig } from "../config";
import { signIn } from "./actions";
import { configureAuth, currentUser } from "./session";

const base: AppConfig = {
  apiUrl: "https://api.test",
  region: "eu-west-1",
  userPoolId: "eu-west-1_Pool",
  userPoolClientId: "client-1",
};

const idToken = `x.${btoa(JSON.stringify({ sub: "u-1", email: "ann@example.com", iat: 1, exp: 3601 }))}.y`;
const result = { AuthenticationResult: { IdToken: idToken, AccessToken: "a", RefreshToken: "r" } };

function cognito(answers: Record<string, unknown>) {
  const calls: { url: string; target: string; body: Record<string, unknown> }[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init: RequestInit) => {
      const target = String((init.headers as Record<string, string>)["X-Amz-Target"]).split(".").pop() ?? "";
      calls.push({ url, target, body: JSON.parse(String(init.body)) as Record<string, unknown> });
      const answer = answers[target];
      return answer ? new Response(JSON.stringify(answer)) : new Response(JSON.stringify({ __type: "UserNotConfirmedException" }), { status: 400 });
    }),
  );
  return calls;
}

describe("signIn", () => {
  beforeEach(() => sessionStorage.clear());
  afterEach(() => vi.unstubAllGlobals());

  it("uses SRP by default: the password never leaves the browser", async () => {
    configureAuth(base);
    const challenge = {
      ChallengeName: "PASSWORD_VERIFIER",
      ChallengeParameters: { SRP_B: "2", SALT: "01", SECRET_BLOCK: "c2VjcmV0", USER_ID_FOR_SRP: "u-1" },
    };
    const calls = cognito({ InitiateAuth: challenge, RespondToAuthChallenge: result });
    expect(await signIn(" ann@example.com ", "Passw0rd!2026")).toEqual({ kind: "signedIn" });
    expect(calls.map((c) => c.target)).toEqual(["InitiateAuth", "RespondToAuthChallenge"]);
    expect(calls[0]?.url).toBe("https://cognito-idp.eu-west-1.amazonaws.com/");
    expect(calls[0]?.body).toMatchObject({ AuthFlow: "USER_SRP_AUTH", ClientId: "client-1", AuthParameters: { USERNAME: "ann@example.com" } });
    expect(calls[1]?.body).toMatchObject({ ChallengeName: "PASSWORD_VERIFIER", ChallengeResponses: { USERNAME: "u-1" } });
    expect(JSON.stringify(calls)).not.toContain("Passw0rd!2026");
    expect(await currentUser()).toEqual({ sub: "u-1", email: "ann@example.com" });
  });

  it("uses SRP at the local stand-in too, so the browser tests sign in as production does", async () => {
    configureAuth({ ...base, cognitoEndpoint: "http://127.0.0.1:5055" });
    const calls = cognito({});
    await signIn("ann@example.com", "Passw0rd!2026");
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ url: "http://127.0.0.1:5055", target: "InitiateAuth", body: { AuthFlow: "USER_SRP_AUTH" } });
    expect(JSON.stringify(calls)).not.toContain("Passw0rd!2026");
  });

  it("says when the account still needs its email confirmed", async () => {
    configureAuth(base);
    cognito({});
    expect(await signIn("ann@example.com", "pw")).toEqual({ kind: "needsConfirmation" });
  });
});
