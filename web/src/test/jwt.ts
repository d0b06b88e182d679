/** Unsigned JWTs for tests: the app reads their claims, the API (faked here) would verify them. */
export function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${part({ alg: "RS256" })}.${part(claims)}.signature`;
}

/** An ID token for user `sub`, valid for an hour. */
export function idTokenFor(sub: string, claims: Record<string, unknown> = {}): string {
  const iat = Math.floor(Date.now() / 1000);
  return jwt({ sub, email: `${sub}@example.com`, iat, exp: iat + 3600, ...claims });
}
