import * as aws from "amazon-cognito-identity-js";
import vectors from "./srp-vectors.json";
import { SRP_GROUP, cognitoTimestamp, modPow, newEphemeral, paddedHex, passwordClaim } from "./srp";

const { N, g } = SRP_GROUP;
const challenge = { SRP_B: vectors.B, SALT: vectors.salt, SECRET_BLOCK: vectors.secretBlock, USER_ID_FOR_SRP: vectors.userIdForSrp };
const a = BigInt(`0x${vectors.a}`);
const ephemeral = { a, A: modPow(g, a, N) };
const at = new Date(Date.UTC(2026, 10, 3, 9, 5, 7));

// AWS's AuthenticationHelper, which its index.d.ts leaves out: the client's secret `a` is its random small A.
type BigIntegerClass = new (hex: string, radix: number) => object;
const { AuthenticationHelper } = aws as unknown as {
  AuthenticationHelper: { new (poolName: string): { N: object }; prototype: { generateRandomSmallA(): object } };
};
const AwsBigInteger = new AuthenticationHelper("any").N.constructor as BigIntegerClass;

/**
 * What AWS's library sends for the vectors' inputs: its CognitoUser signs in against a
 * stand-in for the Cognito API that answers InitiateAuth with the vectors' challenge.
 */
async function awsSignIn(password: string): Promise<{ SRP_A: string; responses: Record<string, string> }> {
  const sent: Record<string, Record<string, unknown>> = {};
  const client = {
    request(operation: string, params: Record<string, unknown>, callback: (error: Error | null, data?: unknown) => void) {
      sent[operation] = params;
      if (operation === "InitiateAuth") callback(null, { ChallengeName: "PASSWORD_VERIFIER", ChallengeParameters: challenge });
      else callback(new Error("stop here: only the challenge responses are compared"));
    },
  };
  vi.spyOn(AuthenticationHelper.prototype, "generateRandomSmallA").mockReturnValue(new AwsBigInteger(vectors.a, 16));
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(at);
  try {
    const pool = new aws.CognitoUserPool({ UserPoolId: vectors.userPoolId, ClientId: "client-1" });
    const user = Object.assign(new aws.CognitoUser({ Username: "ann@example.com", Pool: pool }), { client });
    const details = new aws.AuthenticationDetails({ Username: "ann@example.com", Password: password });
    await new Promise((resolve) => user.authenticateUser(details, { onSuccess: resolve, onFailure: resolve }));
  } finally {
    vi.useRealTimers();
    vi.restoreAllMocks();
  }
  const initiate = sent.InitiateAuth?.AuthParameters as Record<string, string>;
  return { SRP_A: initiate.SRP_A ?? "", responses: sent.RespondToAuthChallenge?.ChallengeResponses as Record<string, string> };
}

describe("SRP sign-in, against AWS's amazon-cognito-identity-js", () => {
  it("sends the same A as AWS's library, and the vectors' A", async () => {
    const fromAws = await awsSignIn(vectors.password);
    expect(BigInt(`0x${fromAws.SRP_A}`)).toBe(BigInt(`0x${vectors.A}`));
    expect(ephemeral.A).toBe(BigInt(`0x${vectors.A}`));
  });

  it("answers the password challenge exactly as AWS's library does", async () => {
    const fromAws = await awsSignIn(vectors.password);
    expect(fromAws.responses).toEqual({
      USERNAME: vectors.userIdForSrp,
      PASSWORD_CLAIM_SECRET_BLOCK: vectors.secretBlock,
      PASSWORD_CLAIM_SIGNATURE: vectors.signature,
      TIMESTAMP: vectors.timestamp,
    });
    expect(await passwordClaim(vectors.userPoolId, vectors.password, ephemeral, challenge, at)).toEqual(fromAws.responses);
  });

  it("signs a wrong password differently, as AWS's library does", async () => {
    const fromAws = await awsSignIn("Passw0rd!2027");
    const claim = await passwordClaim(vectors.userPoolId, "Passw0rd!2027", ephemeral, challenge, at);
    expect(claim.PASSWORD_CLAIM_SIGNATURE).toBe(fromAws.responses.PASSWORD_CLAIM_SIGNATURE);
    expect(claim.PASSWORD_CLAIM_SIGNATURE).not.toBe(vectors.signature);
  });

  it("refuses a server value that would make the secret predictable", async () => {
    const zero = { ...challenge, SRP_B: N.toString(16) };
    await expect(passwordClaim(vectors.userPoolId, "x", newEphemeral(), zero)).rejects.toThrow(/invalid SRP/);
  });

  it("encodes numbers as Java's BigInteger does, and dates as Cognito expects", () => {
    expect(paddedHex(0x7fn)).toBe("7f");
    expect(paddedHex(0x80n)).toBe("0080");
    expect(paddedHex(0xabcn)).toBe("0abc");
    expect(cognitoTimestamp(at)).toBe(vectors.timestamp);
    expect(cognitoTimestamp(new Date(Date.UTC(2026, 0, 25, 23, 0, 9)))).toBe("Sun Jan 25 23:00:09 UTC 2026");
  });
});
