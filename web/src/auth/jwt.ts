/** A JWT's claims, read without checking the signature: only for what this device does with its own tokens (the API verifies them). */
export function jwtClaims(token: string): Record<string, unknown> {
  try {
    const part = token.split(".")[1] ?? "";
    const json = atob(part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "="));
    const claims: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
    return claims && typeof claims === "object" ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The user a token was issued to (its `sub`), or null when it has none. */
export function tokenSubject(token: string): string | null {
  const { sub } = jwtClaims(token);
  return typeof sub === "string" ? sub : null;
}
