import { createRefresher } from "./refresh";

function jwt(payload: object): string {
  const encode = (value: object) => btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${encode({ alg: "none" })}.${encode(payload)}.sig`;
}

const stored = {
  accessToken: { payload: {}, toString: () => "old-access" },
  refreshToken: "refresh-1",
  clockDrift: 0,
  username: "ann",
};

afterEach(() => vi.unstubAllGlobals());

describe("createRefresher", () => {
  it("trades the refresh token for new tokens with InitiateAuth REFRESH_TOKEN_AUTH", async () => {
    const now = Math.floor(Date.now() / 1000);
    const fetchMock = vi.fn(async () =>
      Response.json({ AuthenticationResult: { AccessToken: jwt({ iat: now }), IdToken: jwt({ sub: "u1", email: "ann@example.com" }) } }),
    );
    vi.stubGlobal("fetch", fetchMock);
    const refresh = createRefresher("http://127.0.0.1:5055", "client-1");

    // Two callers at once share one request.
    const [tokens] = await Promise.all([refresh({ tokens: stored, username: "ann" }), refresh({ tokens: stored, username: "ann" })]);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("http://127.0.0.1:5055");
    expect(new Headers(init.headers).get("X-Amz-Target")).toBe("AWSCognitoIdentityProviderService.InitiateAuth");
    expect(JSON.parse(String(init.body))).toEqual({
      AuthFlow: "REFRESH_TOKEN_AUTH",
      ClientId: "client-1",
      AuthParameters: { REFRESH_TOKEN: "refresh-1" },
    });
    expect(tokens.idToken?.payload.email).toBe("ann@example.com");
    expect(tokens.refreshToken).toBe("refresh-1");
    expect(Math.abs(tokens.clockDrift ?? 99999)).toBeLessThan(2000);
  });

  it("fails with Cognito's error name when the refresh token is no good", async () => {
    vi.stubGlobal("fetch", async () =>
      Response.json({ __type: "NotAuthorizedException", message: "Refresh Token has expired" }, { status: 400 }),
    );
    const refresh = createRefresher("http://cognito.test/", "client-1");
    await expect(refresh({ tokens: stored, username: "ann" })).rejects.toMatchObject({
      name: "NotAuthorizedException",
      message: "Refresh Token has expired",
    });
  });
});
