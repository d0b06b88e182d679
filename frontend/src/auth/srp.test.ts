import {
  SRP_GROUP,
  base64ToBytes,
  cognitoTimestamp,
  derivedKey,
  hmac,
  modPow,
  multiplier,
  newEphemeral,
  paddedHex,
  passwordClaim,
  privateKey,
  scrambler,
} from "./srp";

const { N, g } = SRP_GROUP;
const POOL_ID = "eu-west-1_AbCdEf";
const USER_ID = "0f1e2d3c-user";
const SECRET_BLOCK = btoa("an opaque block Cognito hands back");

/** Cognito's side of SRP-6a: the verifier it stored at sign-up, and its check of the client's proof. */
async function cognitoServer(password: string) {
  const salt = 0x5a17c0ffeen;
  const v = modPow(g, await privateKey("AbCdEf", USER_ID, password, salt), N);
  const b = 0x1234567890abcdef1234567890abcdefn;
  const B = ((await multiplier()) * v + modPow(g, b, N)) % N;
  const challenge = { SRP_B: B.toString(16), SALT: salt.toString(16), SECRET_BLOCK, USER_ID_FOR_SRP: USER_ID };
  /** What the signature must be for the client's A, if it knew the password. */
  const expectedSignature = async (A: bigint, timestamp: string) => {
    const u = await scrambler(A, B);
    const S = modPow(A * modPow(v, u, N), b, N);
    const message = new TextEncoder().encode(`AbCdEf${USER_ID}`);
    const signed = new Uint8Array([...message, ...base64ToBytes(SECRET_BLOCK), ...new TextEncoder().encode(timestamp)]);
    return btoa(String.fromCharCode(...(await hmac(await derivedKey(S, u), signed))));
  };
  return { challenge, expectedSignature };
}

describe("SRP sign-in", () => {
  it("proves the password the way Cognito checks it", async () => {
    const server = await cognitoServer("Passw0rd!2026");
    const ephemeral = newEphemeral();
    const now = new Date(Date.UTC(2026, 10, 3, 9, 5, 7));
    const claim = await passwordClaim(POOL_ID, "Passw0rd!2026", ephemeral, server.challenge, now);
    expect(claim).toMatchObject({ USERNAME: USER_ID, PASSWORD_CLAIM_SECRET_BLOCK: SECRET_BLOCK, TIMESTAMP: "Tue Nov 3 09:05:07 UTC 2026" });
    expect(claim.PASSWORD_CLAIM_SIGNATURE).toBe(await server.expectedSignature(ephemeral.A, claim.TIMESTAMP ?? ""));
  });

  it("cannot prove a wrong password", async () => {
    const server = await cognitoServer("Passw0rd!2026");
    const ephemeral = newEphemeral();
    const claim = await passwordClaim(POOL_ID, "Passw0rd!2027", ephemeral, server.challenge);
    expect(claim.PASSWORD_CLAIM_SIGNATURE).not.toBe(await server.expectedSignature(ephemeral.A, claim.TIMESTAMP ?? ""));
  });

  it("refuses a server value that would make the secret predictable", async () => {
    const ephemeral = newEphemeral();
    const zero = { SRP_B: N.toString(16), SALT: "01", SECRET_BLOCK, USER_ID_FOR_SRP: USER_ID };
    await expect(passwordClaim(POOL_ID, "x", ephemeral, zero)).rejects.toThrow(/invalid SRP/);
  });

  it("encodes numbers as Java's BigInteger does, and dates as Cognito expects", () => {
    expect(paddedHex(0x7fn)).toBe("7f");
    expect(paddedHex(0x80n)).toBe("0080");
    expect(paddedHex(0xabcn)).toBe("0abc");
    expect(cognitoTimestamp(new Date(Date.UTC(2026, 0, 25, 23, 0, 9)))).toBe("Sun Jan 25 23:00:09 UTC 2026");
  });
});
