/**
 * Cognito's Secure Remote Password sign-in (USER_SRP_AUTH): the password never leaves
 * the browser, only a proof that we know it. Native BigInt and WebCrypto, no library.
 *
 * The protocol is SRP-6a with Cognito's choices: the 3072-bit group of RFC 3526, SHA-256,
 * x = H(salt | H(poolName | userId | ":" | password)), and an HKDF-derived key that signs
 * `poolName | userId | secretBlock | timestamp` (as Amplify and the AWS SDKs do).
 */

// RFC 3526, 3072-bit MODP group; generator 2.
const N = BigInt(
  "0xFFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);
const g = 2n;

export const SRP_GROUP = { N, g };

export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = ((base % modulus) + modulus) % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

/** Even-length hex of a positive number, with a leading 00 when the top bit is set (Java's toByteArray). */
export function paddedHex(value: bigint): string {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return /^[89a-f]/i.test(hex) ? `00${hex}` : hex;
}

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const utf8 = (text: string) => new TextEncoder().encode(text);

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

async function sha256Hex(data: Uint8Array<ArrayBuffer>): Promise<string> {
  return bytesToHex(new Uint8Array(await crypto.subtle.digest("SHA-256", data)));
}

export async function hmac(key: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const cryptoKey = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, data));
}

const hashOfHex = async (hex: string) => BigInt(`0x${await sha256Hex(hexToBytes(hex))}`);

/** k = H(N | g), u = H(A | B): what client and server both compute. */
export const multiplier = () => hashOfHex(paddedHex(N) + paddedHex(g));
export const scrambler = (A: bigint, B: bigint) => hashOfHex(paddedHex(A) + paddedHex(B));

/** x = H(salt | H(poolName | userId | ":" | password)). */
export async function privateKey(poolName: string, userId: string, password: string, salt: bigint): Promise<bigint> {
  const inner = await sha256Hex(utf8(`${poolName}${userId}:${password}`));
  return hashOfHex(paddedHex(salt) + inner);
}

/** The 16-byte key both sides derive from the shared secret S (HKDF, "Caldera Derived Key"). */
export async function derivedKey(S: bigint, u: bigint): Promise<Uint8Array<ArrayBuffer>> {
  const prk = await hmac(hexToBytes(paddedHex(u)), hexToBytes(paddedHex(S)));
  const okm = await hmac(prk, concat(utf8("Caldera Derived Key"), new Uint8Array([1])));
  return okm.slice(0, 16);
}

/** Cognito's timestamp: "Tue Nov 3 09:05:07 UTC 2026" (day not padded). */
export function cognitoTimestamp(now: Date): string {
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const two = (n: number) => String(n).padStart(2, "0");
  return `${days[now.getUTCDay()]} ${months[now.getUTCMonth()]} ${now.getUTCDate()} ${two(now.getUTCHours())}:${two(now.getUTCMinutes())}:${two(now.getUTCSeconds())} UTC ${now.getUTCFullYear()}`;
}

/** Base64 or base64url, padded or not. */
export function base64ToBytes(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(text.length / 4) * 4, "=");
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

function bytesToBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

/** The client's ephemeral pair: a secret `a` and the public A = g^a sent as SRP_A. */
export function newEphemeral(): { a: bigint; A: bigint } {
  for (;;) {
    const a = BigInt(`0x${bytesToHex(crypto.getRandomValues(new Uint8Array(128)))}`);
    const A = modPow(g, a, N);
    if (A % N !== 0n) return { a, A };
  }
}

export interface PasswordVerifierChallenge {
  SRP_B: string;
  SALT: string;
  SECRET_BLOCK: string;
  USER_ID_FOR_SRP: string;
}

/** The answer to Cognito's PASSWORD_VERIFIER challenge (RespondToAuthChallenge's ChallengeResponses). */
export async function passwordClaim(
  userPoolId: string,
  password: string,
  ephemeral: { a: bigint; A: bigint },
  challenge: PasswordVerifierChallenge,
  now: Date = new Date(),
): Promise<Record<string, string>> {
  const poolName = userPoolId.split("_")[1] ?? "";
  const userId = challenge.USER_ID_FOR_SRP;
  const B = BigInt(`0x${challenge.SRP_B}`);
  if (B % N === 0n) throw new Error("The sign-in service sent an invalid SRP value.");
  const u = await scrambler(ephemeral.A, B);
  const x = await privateKey(poolName, userId, password, BigInt(`0x${challenge.SALT}`));
  const k = await multiplier();
  const base = (((B - k * modPow(g, x, N)) % N) + N) % N;
  const S = modPow(base, ephemeral.a + u * x, N);
  const key = await derivedKey(S, u);
  const timestamp = cognitoTimestamp(now);
  const message = concat(utf8(poolName), utf8(userId), base64ToBytes(challenge.SECRET_BLOCK), utf8(timestamp));
  return {
    USERNAME: userId,
    PASSWORD_CLAIM_SECRET_BLOCK: challenge.SECRET_BLOCK,
    PASSWORD_CLAIM_SIGNATURE: bytesToBase64(await hmac(key, message)),
    TIMESTAMP: timestamp,
  };
}
