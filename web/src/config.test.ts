import { ConfigError, loadConfig, parseConfig } from "./config";

describe("runtime config", () => {
  it("accepts a stack's config.json, trimming the API URL's trailing slash", () => {
    expect(
      parseConfig({ apiUrl: "https://api.test/api/", region: "eu-west-1", userPoolId: "p", userPoolClientId: "c" }),
    ).toEqual({ apiUrl: "https://api.test/api", region: "eu-west-1", userPoolId: "p", userPoolClientId: "c" });
  });

  it("keeps the local Cognito endpoint when given", () => {
    const config = parseConfig({ apiUrl: "a", region: "r", userPoolId: "p", userPoolClientId: "c", cognitoEndpoint: "http://127.0.0.1:5055" });
    expect(config.cognitoEndpoint).toBe("http://127.0.0.1:5055");
  });

  it("names what is missing", () => {
    expect(() => parseConfig({ apiUrl: "a", region: "r" })).toThrow("config.json is missing userPoolId, userPoolClientId.");
  });

  it("explains a missing file", async () => {
    const fetchImpl = vi.fn(async () => new Response("not found", { status: 404 }));
    await expect(loadConfig(fetchImpl as unknown as typeof fetch)).rejects.toBeInstanceOf(ConfigError);
    expect(fetchImpl).toHaveBeenCalledWith("/config.json", { cache: "no-store" });
  });
});
